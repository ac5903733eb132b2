"""Requests made on an Alaveteli site (Ma Dada, madada.fr), read for ``cada madada import``.

Pure: no database, no clock. :mod:`.reader` reads the JSON an Alaveteli site serves
for a request (``/request/<url_title>.json``, ``InfoRequest#json_for_api(true)``)
and the request's ZIP download (``correspondence.txt`` and the attachments of each
incoming message); :mod:`.mapping` turns its events into cada's events.

What each Alaveteli state becomes (the state of a ``response`` event is its
``calculated_state``, which Alaveteli copies from the ``status_update`` that
classified it; the state of any other event is its ``described_state``):

===========================  ==================================================
``waiting_response``         the ``sent`` event → ``sent`` (by e-mail)
``successful``               ``answer --outcome full``
``partially_successful``     ``answer --outcome partial``
``rejected``, ``not_held``   ``answer --outcome refusal`` and a note to check it
``user_withdrawn``           ``close --reason withdrawn``
``internal_review``          a note: on Ma Dada it is usually a recours gracieux
``waiting_response_overdue`` ignored (and ``overdue`` events): cada computes its own
anything else                a note, listed in the import's report
===========================  ==================================================

Dates are the day of each event's ``created_at`` in Paris time (the CRPA's deadlines
run on French dates), never the display strings (``display_status``).
"""
