"""Base settings: safe for production. Every value that varies comes from the environment."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # project apps first so their templates and translations win
    "vet",
    "curricula",
    "certificates",
    "cms",
    # wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # third party
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "vet.api.middleware.APILanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # last, so that it sees the outcome of every authentication attempt
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# SQLite by default so the project runs with no server; PostgreSQL through DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The server, the task worker and commands write at once (make demo): WAL lets readers go on while one writes,
    # IMMEDIATE takes the write lock when a transaction begins (no deadlock on upgrade), and a writer waits for the
    # lock up to 30 s instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE",
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://vettrack")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes counts failed logins and locks out after AXES_FAILURE_LIMIT attempts
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "wagtailadmin_login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "vet/lockout.html"

# Internationalisation: Vietnamese first, English complete.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# The second holds Vietnamese for the Wagtail admin strings that Wagtail's own "vi" catalogue lacks.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "config" / "locale_wagtail"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Accreditation evidence files are not public: kept outside MEDIA_ROOT, served only through permission-checked views.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
VET_EVIDENCE_MAX_BYTES = env.int("VET_EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
VET_EVIDENCE_ALLOWED_EXTENSIONS = env.list(
    "VET_EVIDENCE_ALLOWED_EXTENSIONS",
    default=["pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "ppt", "pptx", "jpg", "jpeg", "png", "zip"],
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

WAGTAIL_SITE_NAME = "VETtrack"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# PostgreSQL full-text on PostgreSQL, SQLite FTS on SQLite. "simple": no English stemming or stop words for
# Vietnamese text (the catalogue indexes names folded without diacritics, where "an" or "to" are real words).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "xlsx", "docx", "odt", "ods", "png", "jpg"]

# Security: secure by default; dev.py relaxes what plain HTTP on localhost needs.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail marks its preview views SAMEORIGIN itself

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that anonymous requests get 401 with a WWW-Authenticate header
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["vet.api.permissions.RegistryPermission"],
    # ?format=csv and ?format=xlsx on every endpoint (vet/api/renderers.py)
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "vet.api.renderers.CSVRenderer",
        "vet.api.renderers.XLSXRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "vet.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "vet.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": env("API_LOGIN_THROTTLE", default="10/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "VETtrack API",
    "DESCRIPTION": "Registry of Vietnamese vocational education: authorities, provinces, "
    "institutions, occupations and key occupations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["vet.api.schema.only_vettrack_api"],
    "SWAGGER_UI_DIST": "SIDECAR",  # served locally: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "vet.choices.Level",
        "TierEnum": "vet.choices.Tier",
        "DesignationLevelEnum": "vet.choices.DESIGNATION_LEVEL_CHOICES",
        "DegreeEnum": "vet.choices.Degree",
        "VersionStatusEnum": "curricula.choices.VersionStatus",
        "RuleStatusEnum": "curricula.choices.RuleStatus",
        "ComponentKindEnum": "curricula.choices.ComponentKind",
        "ComponentGroupEnum": "curricula.choices.ComponentGroup",
        "FrameworkKindEnum": "curricula.choices.FrameworkKind",
        "UnitGroupEnum": "curricula.choices.UnitGroup",
        "DiplomaStatusEnum": "certificates.choices.DiplomaStatus",
        "BatchStatusEnum": "certificates.choices.BatchStatus",
        "RegisterActionEnum": "certificates.choices.RegisterAction",
    },
}

# Background tasks: one API (django-tasks). See docs/decisions/0001-task-queue.md.
# TASKS_BACKEND = immediate | database | rq
_TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
TASKS_BACKEND_NAME = env("TASKS_BACKEND", default="database")
TASKS = {"default": {"BACKEND": _TASKS_BACKENDS[TASKS_BACKEND_NAME]}}
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
# A whole batch's print-ready PDF is one job: minutes, not RQ's default three.
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": env.int("RQ_DEFAULT_TIMEOUT", default=3600)}}
# `manage.py rqworker default` runs django-tasks jobs (their job class) in VETtrack's worker, which readies the
# diploma renderer before it forks (certificates/workers.py).
RQ = {"JOB_CLASS": "django_tasks_rq.Job", "WORKER_CLASS": "certificates.workers.Worker"}
if TASKS_BACKEND_NAME == "rq":
    INSTALLED_APPS += ["django_rq"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"},
                "weasyprint.progress": {"level": "WARNING"}, "pikepdf": {"level": "WARNING"},
                # page history is in Wagtail's own log (PageLogEntry); its INFO lines would flood imports
                "wagtail": {"level": "WARNING"}},
}

# Demo mode shows a banner on every page and enables the demo loaders.
VETTRACK_DEMO = env.bool("VETTRACK_DEMO", default=False)
# The public catalogue as open data (/open-data/programs.json and .csv) is published under this licence.
VETTRACK_OPEN_DATA_LICENCE = env("VETTRACK_OPEN_DATA_LICENCE", default="CC BY 4.0")
VETTRACK_OPEN_DATA_LICENCE_URL = env("VETTRACK_OPEN_DATA_LICENCE_URL",
                                     default="https://creativecommons.org/licenses/by/4.0/")
# The targets dashboard: "at risk" when behind the line to the target by at most this share of the distance
# (VETtrack's method, not the plans'; docs/guides/targets.md).
VETTRACK_TARGET_AT_RISK_MARGIN = env("VETTRACK_TARGET_AT_RISK_MARGIN", default="0.10")
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no external avatar service: pages work offline on a LAN
