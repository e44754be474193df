"""E-mail written to the console as a person reads it (the demo's default backend).

Django's console backend prints the MIME message, where any UTF-8 text is quoted-printable:
links break across "=" line ends and "=E2=80=99" stands for an apostrophe. This prints the
headers that matter and the body as it was written.
"""

from django.core.mail.backends.console import EmailBackend


class ReadableConsoleBackend(EmailBackend):
    def write_message(self, message):
        self.stream.write(f"From: {message.from_email}\n")
        self.stream.write(f"To: {', '.join(message.to)}\n")
        self.stream.write(f"Subject: {message.subject}\n\n")
        self.stream.write(message.body.rstrip("\n") + "\n")
        if getattr(message, "alternatives", None):
            self.stream.write("(An HTML version is sent alongside this text.)\n")
        self.stream.write("-" * 79 + "\n")
