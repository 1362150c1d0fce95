# Sachstand production image: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=false \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media

# WeasyPrint needs Pango; fonts for the PDF are vendored in static/fonts. python-ldap (directory
# sign-in) needs OpenLDAP's and SASL's libraries at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 curl \
       libldap-2.5-0 libsasl2-2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock pyproject.toml README.md ./
# python-ldap is built from source: compiler and headers only for this step.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libldap2-dev libsasl2-dev \
    && pip install -r requirements.lock \
    && apt-get purge -y --auto-remove gcc libc6-dev libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN pip install --no-deps . \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --home /app sachstand \
    && mkdir -p /data/media \
    && chown -R sachstand /data

USER sachstand
EXPOSE 8000
CMD ["gunicorn", "masterplan.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
