"""gunicorn settings for Sachstand, read by gunicorn from its working directory (the image's
/app; `gunicorn -c gunicorn.conf.py` elsewhere). Options on the command line override them.

The `Server` header: gunicorn sends "Server: gunicorn" with no version number (its version is
only in the WSGI environ's SERVER_SOFTWARE, which is never sent); gunicorn has no setting to
drop the header. The TLS proxy in front may remove it (nginx: `proxy_hide_header Server;`, and
`server_tokens off;` for nginx's own). tests/masterplan/test_security.py checks the header.
"""

import os

# Only the proxy on this host may tell gunicorn the client's scheme and address
# (X-Forwarded-*); set FORWARDED_ALLOW_IPS to the proxy's address when it runs elsewhere.
# (Django reads X-Forwarded-Proto itself, SECURE_PROXY_SSL_HEADER: the proxy must overwrite
# that header on every request.)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
