"""Settings for Confide, read from the environment only.

The embedded default (no environment at all) is SQLite under var/, the in-memory channel layer,
e-mail to the console and tasks run at once. Production sets DEBUG=0, SECRET_KEY, DATABASE_URL,
REDIS_URL and ALLOWED_HOSTS; see docs/deployment.md.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from psycopg_pool import ConnectionPool

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_flag(name, default):
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG", True)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# daphne serves /static/ itself locally and in the browser tests; nginx does it in production.
SERVE_STATIC = env_flag("SERVE_STATIC", DEBUG)
# Django's technical error pages instead of the site's own, for debugging (DEBUG only).
DEBUG_ERROR_PAGES = DEBUG and env_flag("DEBUG_ERROR_PAGES", False)
# Links in e-mails. `make demo PORT=8001` passes PORT, so the links follow the demo's port.
SITE_URL = env("SITE_URL", f"http://127.0.0.1:{env('PORT', '8000')}").rstrip("/")

INSTALLED_APPS = [
    # daphne first, so runserver serves WebSockets too.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "guardian",
    "django_tasks_db",
    "community",
    "forums",
    "mentoring",
    "events",
    "events.live",
    "assurance",
]

MIDDLEWARE = [
    "community.logging.RequestIdMiddleware",
    # The site's 404/403/500 pages with DEBUG on too; DEBUG_ERROR_PAGES=1 for Django's own.
    "community.errors.BrandedErrorPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "community.request_limits.ParseFormsEarlyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every view needs a signed-in user unless marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Stewards, moderators, facilitators and members of networks that require it enrol TOTP first.
    "community.middleware.TwoFactorEnrolmentMiddleware",
    # A member who has only the current agreement to accept is sent to it (the one gate).
    "community.middleware.AgreementGateMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "community.middleware.PrivatePagesMiddleware",
]

ROOT_URLCONF = "confide.urls"
ASGI_APPLICATION = "confide.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "community.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite under var/ by default; DATABASE_URL for PostgreSQL (psycopg 3 with its pool).
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'confide.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections instead
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(env("DB_POOL_MIN", "2")),
        "max_size": int(env("DB_POOL_MAX", "20")),
        # A request waits this long for a connection, then gets the 503 page.
        "timeout": float(env("DB_POOL_TIMEOUT", "5")),
        # Check each connection as it is handed out, so a restarted server costs no errors.
        "check": ConnectionPool.check_connection,
    }
else:
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    # A file, not memory: the browser tests' daphne runs in another process.
    DATABASES["default"]["TEST"] = {
        "NAME": env("TEST_SQLITE", str(BASE_DIR / "var" / "test.sqlite3"))
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# How long an action waits for a scarce row (an event's seats, a mentor's places, a live
# session) before telling the person "busy, try again" (community/locking.py).
LOCK_TIMEOUT_MS = int(env("LOCK_TIMEOUT_MS", "5000"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: channel layer and cache when REDIS_URL is set; in-memory otherwise (one process).
REDIS_URL = env("REDIS_URL")
CHANNELS_PREFIX = env("CHANNELS_PREFIX", "confide")
# redis-py 8 drops idle connections after 5 s unless socket_timeout is None,
# and its default pool of 100 connections refuses the next WebSocket handshake.
REDIS_POOL = {"socket_timeout": None, "max_connections": int(env("REDIS_MAX_CONNECTIONS", "1000"))}
REDIS_SENTINELS = env_list("REDIS_SENTINELS")  # host:port,host:port (channel layer only)
if REDIS_SENTINELS:
    REDIS_LAYER_HOST = {
        "sentinels": [(h, int(p)) for h, p in (item.rsplit(":", 1) for item in REDIS_SENTINELS)],
        "master_name": env("REDIS_SENTINEL_MASTER", "mymaster"),
        **REDIS_POOL,
    }
else:
    REDIS_LAYER_HOST = {"address": REDIS_URL, **REDIS_POOL}
if REDIS_URL or REDIS_SENTINELS:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_LAYER_HOST],
                "capacity": 1000,
                "expiry": 60,
                "prefix": CHANNELS_PREFIX,
            },
        }
    }
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CHANNELS_PREFIX,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# What every signed-in page asks about its user (community/usercache.py): shared by every process
# serving the site, since a change made in one must reach the next request in any other.
# Redis when there is one; otherwise files under var/ (one server, or a test's daphne beside it).
CACHES["usercache"] = (
    {**CACHES["default"], "TIMEOUT": 3600}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env("USERCACHE_DIR", str(BASE_DIR / "var" / "usercache")),
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
)
if not (REDIS_URL or REDIS_SENTINELS):
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Background work: at once locally, django-tasks-db's db_worker in production.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"),
    }
}

# Accounts: e-mail sign-in through allauth; sign-up only with an invitation (see adapters).
AUTH_USER_MODEL = "community.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "community:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# The reverse proxy (docs/deployment.md) puts the client's address in X-Forwarded-For; it is
# believed only from these peers (addresses or networks, e.g. "127.0.0.1"), read by
# community.request_limits.client_address through the account adapter's get_client_ip.
try:
    TRUSTED_PROXIES = [
        ipaddress.ip_network(item, strict=False) for item in env_list("TRUSTED_PROXIES")
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from None
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Failed sign-ins (community.adapters.AccountAdapter.pre_authenticate): 5 in 5 minutes for
    # one account from one address ("key" is the pair), so a typo locks out neither colleagues
    # behind the same address nor the account elsewhere; 20 in 5 minutes from one address
    # against trying many accounts; 30 an hour for one account from anywhere.
    "login_failed": "20/5m/ip,5/5m/key",
    "login_failed_account": "30/h/key",
    "signup": "20/m/ip",
    "reset_password": "5/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
}
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Confide] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_ADAPTER = "community.adapters.AccountAdapter"
USERSESSIONS_ADAPTER = "community.adapters.UserSessionsAdapter"
ACCOUNT_FORMS = {
    "login": "community.forms.SignInForm",
    "signup": "community.forms.InvitedSignupForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_FORMS = {
    "activate_totp": "community.forms.ActivateTwoFactorForm",
    "authenticate": "community.forms.TwoFactorSignInForm",
    "reauthenticate": "community.forms.TwoFactorConfirmForm",
}
MFA_TOTP_ISSUER = "Confide"
MFA_ALLOW_UNVERIFIED_EMAIL = False
MFA_PASSKEY_LOGIN_ENABLED = False
# The session list shows where and when each session began; tracking every request's "last
# seen" would cost a read and a write on every page, for every member.
USERSESSIONS_TRACK_ACTIVITY = False
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if env("TEST_PASSWORD_HASHER") == "md5":
    # Only the test suite's own daphne servers set this, to accept the suite's quick hashes.
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

# django-guardian: deny by default; no anonymous user object.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# E-mail: the console by default; SMTP settings from the environment in production.
EMAIL_BACKEND_PATH = env(
    "EMAIL_BACKEND",
    # Readable in the demo's console: plain UTF-8, links unbroken (not quoted-printable).
    "community.mail.ReadableConsoleBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": {
            "host": env("EMAIL_HOST", "localhost"),
            "port": int(env("EMAIL_PORT", "25")),
            "username": env("EMAIL_HOST_USER"),
            "password": env("EMAIL_HOST_PASSWORD"),
            "use_tls": env_flag("EMAIL_USE_TLS", False),
        }
        if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Confide <no-reply@confide.invalid>")
# E-mail to files (the browser tests read invitations from them).
if EMAIL_BACKEND_PATH.endswith("filebased.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "file_path": env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
    }

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))

# Security headers. Nothing is loaded from another origin; scripts carry a nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_flag("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Board assurance: the fewest answers a board's results, and the fewest boards a peer group,
# may be shown from (issue 14); below it nothing is shown.
ASSURANCE_MIN_RESPONSES = int(env("ASSURANCE_MIN_RESPONSES", "5"))

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "community.logging.RequestIdFilter"}},
    "formatters": {
        # Both formatters withhold what people sent (community.logging.safe_record).
        "plain": {
            "()": "community.logging.SafeFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "community.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if env("LOG_FORMAT") == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "daphne": {"level": "WARNING"},
        "django.channels.server": {"level": "WARNING"},
        # Django's own 404 lines carry the path; ours carry only the view and user id.
        "django.request": {"level": "ERROR"},
    },
}
