"""E-mail for requests: configuration, composing, parsing and classifying messages.

Everything here uses only the standard library (``email``, ``smtplib``,
``imaplib``, ``mailbox``, ``tomllib``) and never touches the database: the use
cases that record events live in ``services.mail_*``.
"""
