#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, from Debian's packages (munge,
# slurmctld, slurmd, slurm-client), for running `cimfw sweep submit --slurm`
# as on a real cluster. No cgroups: processes are tracked through /proc
# (proctrack/linuxproc) and tasks are not confined (task/none).
#
#   scripts/slurm/one-node-cluster.sh start   # as root; installs the packages if missing
#   scripts/slurm/one-node-cluster.sh stop
#
# In a chroot, the cgroup hierarchies are mounted as the host has them
# (slurmd reads them at start). The node is this host (`hostname -s`, at
# 127.0.0.1, so nothing needs to resolve its name) with its CPU count; the scheduler
# starts jobs at once (batch_sched_delay=0, sched_min_interval=0). State and
# logs go to /var/tmp/cimfw-slurm.
set -euo pipefail
state=/var/tmp/cimfw-slurm

start() {
    if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
    fi
    stop >/dev/null 2>&1 || true
    local node cpus
    node=$(hostname -s)
    cpus=$(nproc)
    mkdir -p "$state/ctld" "$state/d" /etc/slurm /etc/munge /run/munge /var/log/munge /var/lib/munge
    # A fresh key each start: only this machine's daemons and clients use it.
    if [[ ! -s /etc/munge/munge.key ]]; then
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    chown munge:munge /etc/munge /etc/munge/munge.key /run/munge /var/log/munge /var/lib/munge
    chmod 0700 /etc/munge /var/log/munge /var/lib/munge
    chmod 0400 /etc/munge/munge.key
    chmod 0755 /run/munge
    cat > /etc/slurm/slurm.conf <<CONF
ClusterName=cimfw
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MaxArraySize=1001
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
    mount_cgroups
    # Each daemon in its own session: a daemon that fails and signals its
    # process group must not take the caller (a CI run) with it.
    setsid runuser -u munge -- /usr/sbin/munged --force
    setsid /usr/sbin/slurmctld -i
    setsid /usr/sbin/slurmd
    # Up when the node takes work (within 30 s).
    local deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        if timeout 5 sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
            echo "slurm: node $node ($cpus CPUs) idle"
            return 0
        fi
        sleep 0.5
    done
    echo "slurm: the node did not come up in 30 s" >&2
    sinfo -N >&2 || true
    tail -20 "$state/slurmctld.log" "$state/slurmd.log" >&2 || true
    return 1
}

# slurmd reads the cgroup hierarchies at start even with task/none, and
# refuses a layout unlike the kernel's (cgroup2 alone on a hybrid host). A
# chroot has none mounted: mount each hierarchy this process is in, as the
# host does (cgroup2 alone, or v1 controllers beside a unified one).
mount_cgroups() {
    mountpoint -q /sys/fs/cgroup && return 0
    if [[ $(grep -c . /proc/self/cgroup) -eq 1 ]]; then
        mount -t cgroup2 none /sys/fs/cgroup
        return 0
    fi
    mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
    local controllers directory
    while IFS=: read -r _ controllers _; do
        if [[ -z $controllers ]]; then
            mkdir -p /sys/fs/cgroup/unified
            mount -t cgroup2 none /sys/fs/cgroup/unified
        else
            directory=${controllers#name=}
            mkdir -p "/sys/fs/cgroup/$directory"
            if [[ $controllers == name=* ]]; then
                mount -t cgroup -o "none,$controllers" cgroup "/sys/fs/cgroup/$directory"
            else
                mount -t cgroup -o "$controllers" cgroup "/sys/fs/cgroup/$directory"
            fi
        fi
    done < /proc/self/cgroup
}

stop() {
    for pidfile in "$state/slurmd.pid" "$state/slurmctld.pid"; do
        [[ -s $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    [[ -s /run/munge/munged.pid ]] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
    sleep 0.5
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
