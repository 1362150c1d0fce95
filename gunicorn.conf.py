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
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Requests larger than any page needs are refused before Django sees them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
