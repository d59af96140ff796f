#!/usr/bin/env bash
# `make run`: console + worker + scheduler (beat) + fclocal with demo data, on the embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# First run: generate the secrets this laptop's console keeps in .env (never committed).
touch .env
if ! grep -q '^SECRET_KEY=' .env; then
  echo "SECRET_KEY=$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(50))')" >> .env
fi
if ! grep -q '^FCCONSOLE_ENCRYPTION_KEYS=' .env; then
  echo "FCCONSOLE_ENCRYPTION_KEYS=$($BIN/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" >> .env
fi

$BIN/python manage.py migrate --noinput >/dev/null
$BIN/python manage.py seed_demo
$BIN/python manage.py seed_demo_events
echo "fcconsole: $($BIN/python manage.py setup_report)"
# honcho (and Django) read the port from .env too: say the one web will listen on.
PORT=${FCCONSOLE_PORT:-$(sed -n 's/^FCCONSOLE_PORT=//p' .env | tail -n 1)}
echo "fcconsole: open http://127.0.0.1:${PORT:-8000}/  (Ctrl-C stops web, worker, beat and fclocal)"
exec $BIN/honcho start -f Procfile
