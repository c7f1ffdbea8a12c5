#!/usr/bin/env bash
# This folder's reference: PingCAP's mysql-tester at the commit TiDB's release-8.5 run-tests.sh
# pins, which recorded r/ against the tidb-server that `make tidb` builds:
#     go install github.com/pingcap/mysql-tester/src@314107b26aa8fce86beb0dd48e75827fb269b365
# tidbrun reads that line to read t/ as that mysql-tester does (statements end at a line ending
# in ';', which is sent with them). To record again with it: MYSQL_TESTER=path PORT=n ./run-tests.sh --record
set -euo pipefail
cd "$(dirname "$0")"
exec "${MYSQL_TESTER:-mysql-tester}" -port "${PORT:-4000}" --check-error=true "$@"
