#!/usr/bin/env bash
# Starts a private single-node SLURM (munged, slurmctld, slurmd from Debian's munge and slurm-wlm packages) in the
# folder DIR, on loopback ports, for the workflow test. Prints `export SLURM_CONF=…` lines; stop it with
# `slurm-single-node.sh stop DIR`. Each daemon runs as this user with its pid file in DIR; nothing system-wide is
# touched (no /etc/slurm, no /run/munge).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
cmd=$1
dir=$(realpath -m "$2")

# Running and not a zombie (a daemon whose parent is gone may wait as one for a while).
alive() { [ -n "$(ps -o stat= -p "$1" 2>/dev/null | grep -v Z)" ]; }

if [ "$cmd" = stop ]; then
  # In order, each waited for: slurmctld saves its state on the way out, and needs munged until then.
  for file in "$dir"/slurmd.pid "$dir"/slurmctld.pid "$dir"/munged.pid; do
    [ -s "$file" ] || continue
    pid=$(cat "$file")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
  done
  exit 0
fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
ctld_port=$(port)
slurmd_port=$(port)
user=$(id -un)
mem=$(awk '/MemAvailable/ { print int($2 / 1024 / 2) }' /proc/meminfo)
cpus=$(nproc)

mungekey --create --keyfile "$dir/munge/munge.key" --force >/dev/null
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munged.pid" \
  --log-file="$dir/munged.log" --seed-file="$dir/munge/munged.seed"

cat > "$dir/slurm.conf" <<CONF
ClusterName=focuslite-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
NodeName=focusnode NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -i
slurmd -N focusnode
for _ in $(seq 1 100); do
  if sinfo -h -o %t 2>/dev/null | grep -qx idle; then
    echo "export SLURM_CONF=$dir/slurm.conf"
    exit 0
  fi
  sleep 0.2
done
echo "SLURM did not come up within 20 s; logs in $dir" >&2
sinfo >&2 || true
exit 1
