# Sachstand production image: one image for web (gunicorn), worker, beat and migrate.
# What runs in it is deploy/: build.sh builds, web.sh / worker.sh / beat.sh / migrate.sh run,
# production.env holds the settings every installation shares. tests/production/ runs the
# same scripts without Docker (see README, "Production").
FROM python:3.11-slim-bookworm

# DEBUG as in deploy/production.env (a test keeps them equal), also for a bare `docker run
# sachstand python manage.py ...` that neither compose nor the scripts set up.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=false

# WeasyPrint needs Pango; fonts for the PDF are vendored in static/fonts. python-ldap (directory
# sign-in) needs OpenLDAP's and SASL's libraries at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
       libldap-2.5-0 libsasl2-2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Runtime dependencies first (a layer of their own, rebuilt only when the lock changes);
# deploy/build.sh installs the same file again, which is then a no-op. python-ldap is built
# from source: compiler and headers only for this step.
COPY requirements.lock ./
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libldap2-dev libsasl2-dev \
    && pip install --requirement requirements.lock \
    && apt-get purge -y --auto-remove gcc libc6-dev libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN deploy/build.sh \
    && useradd --system --home /app sachstand \
    && mkdir -p /data/media \
    && chown -R sachstand /data

USER sachstand
EXPOSE 8000
CMD ["deploy/web.sh"]
