"""E-mail through the SMTP server of the settings (``GC_SMTP_HOST``; empty: e-mail is off): plain-text UTF-8
messages with the platform's footer, sent over one connection per sender."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from services.core.settings import Settings

SMTP_TIMEOUT_SECONDS = 20


class SmtpSender:
    """Sends messages through the configured SMTP server over one connection, opened on first use."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __call__(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        self._smtp.send_message(message)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None


def absolute_link(link: str, base_url: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return base_url.rstrip("/") + "/" + link.lstrip("/")


def build_message(*, title: str, body: str, link: str, to: str, settings: Settings) -> EmailMessage:
    """A UTF-8 plain-text message; the Chinese subject is RFC 2047 encoded by the e-mail package."""
    message = EmailMessage()
    message["Subject"] = " ".join(title.split())  # no line breaks in a header
    message["From"] = settings.mail_from
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(settings.mail_from)[1].rpartition("@")[2] or None)
    text = body.rstrip()
    url = absolute_link(link, settings.public_base_url)
    if url:
        text += f"\n\n查看详情：{url}"
    text += "\n\n——\n本邮件由产业项目绿色通道服务平台自动发送，请勿直接回复。\n"
    message.set_content(text, charset="utf-8", cte="base64")
    return message


def send_now(settings: Settings, *, to: str, title: str, body: str, link: str = "") -> str | None:
    """Send one message at once (a sign-up confirmation, a password reset link); the error as text when the
    server could not be reached or refused it, else None."""
    sender = SmtpSender(settings)
    try:
        sender(build_message(title=title, body=body, link=link, to=to, settings=settings))
    except (OSError, smtplib.SMTPException, ValueError) as error:
        return f"{type(error).__name__}: {error}"[:255]
    finally:
        sender.close()
    return None
