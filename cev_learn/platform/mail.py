"""Compose email from the app's templates and send it over SMTP: one connection for a batch,
one result per message."""
import smtplib
import ssl
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app

from cev_learn.platform.templating import ZONE_VARIABLE
from cev_learn.platform.time_zones import DEFAULT_ZONE


@dataclass(frozen=True)
class Delivery:
    message: EmailMessage
    error: str | None  # None: the server accepted the message

    @property
    def sent(self) -> bool:
        return self.error is None


def compose(*, to: str, subject: str, template: str, values: Mapping,
            config: Mapping, time_zone: str | None = None) -> EmailMessage:
    """Plain text (`template`.txt) with an HTML alternative (`template`.html, autoescaped),
    rendered with `values` and `base_url` (the app's address, for links). Times are written
    in the recipient's `time_zone` (UTC, saying so, when theirs is not known)."""
    # The app's Jinja environment, not render_template: this also runs without a request
    # (commands), and the app's context processors ask for current_user.
    env = current_app.jinja_env
    values = {**values, "base_url": config["BASE_URL"].rstrip("/"),
              ZONE_VARIABLE: time_zone or DEFAULT_ZONE}
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    sender_domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=sender_domain)
    message.set_content(env.get_template(template + ".txt").render(values))
    message.add_alternative(env.get_template(template + ".html").render(values), subtype="html")
    return message


def send_messages(messages: Iterable[EmailMessage], config: Mapping) -> Iterator[Delivery]:
    """Send each message, yielding as it goes so the caller can record every success at once.

    A refused message does not stop the others; a lost connection fails every message left.
    """
    messages = list(messages)
    if not messages:
        return
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException) as exc:
        server = f"{config['SMTP_HOST']}:{config['SMTP_PORT']}"
        reason = f"cannot use the mail server {server}: {_describe(exc)}"
        for message in messages:
            yield Delivery(message, reason)
        return
    with smtp:
        for position, message in enumerate(messages):
            error = _send_one(smtp, message)
            yield Delivery(message, error)
            if error is not None and smtp.sock is None:
                for rest in messages[position + 1:]:
                    yield Delivery(rest, "not tried: the connection to the mail server was lost")
                return


def _connect(config: Mapping) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]),
                        timeout=float(config["SMTP_TIMEOUT_SECONDS"]))
    try:
        if config["SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _send_one(smtp: smtplib.SMTP, message: EmailMessage) -> str | None:
    try:
        refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        return "refused: " + "; ".join(f"{rcpt}: {_reply(code, text)}"
                                       for rcpt, (code, text) in exc.recipients.items())
    except (OSError, smtplib.SMTPException) as exc:
        if not isinstance(exc, smtplib.SMTPResponseException):
            smtp.close()  # timeouts and resets leave the session in an unknown state
        return _describe(exc)
    if refused:  # some recipients of a multi-recipient message: treat it as not delivered
        return "refused: " + "; ".join(f"{rcpt}: {_reply(code, text)}"
                                       for rcpt, (code, text) in refused.items())
    return None


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    return str(exc) or type(exc).__name__


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()
