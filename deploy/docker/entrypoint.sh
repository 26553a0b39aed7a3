#!/bin/sh
# `docker run localwealth/registry migrate` → `localwealth registry migrate`. The service name is fixed when
# the image is built (LOCALWEALTH_SERVICE), so one image cannot start another service by accident.
# exec: the CLI becomes the container's main process and receives SIGTERM directly for a graceful stop.
set -eu
: "${LOCALWEALTH_SERVICE:?this image was built without --build-arg SERVICE}"
exec localwealth "$LOCALWEALTH_SERVICE" "$@"
