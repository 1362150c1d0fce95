# Sourced by the scripts in deploy/: exports every variable of deploy/production.env that the
# environment does not set already (compose's env_file and environment, or the smoke test),
# then enters the application folder. An empty value counts as unset: `DEBUG=` in a site's
# .env must not switch DEBUG on.
deploy_dir=$(cd "$(dirname "$0")" && pwd)
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in '' | '#'*) continue ;; esac
  name=${line%%=*}
  [ -n "$(printenv "$name")" ] || export "$name=${line#*=}"
done <"$deploy_dir/production.env"
cd "$deploy_dir/.."
