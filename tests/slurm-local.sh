# SPDX-License-Identifier: GPL-3.0-or-later
# A private one-node Slurm cluster on localhost, for the shell tests that
# need real sbatch array jobs. Source it after tests/lib.sh, then:
#
#     if slurm_local_start "$scratch/slurm"; then
#         ... sbatch --wait ... ; checks ...
#         slurm_local_stop
#     else
#         echo "ok 1 # SKIP $slurm_local_why"
#     fi
#
# slurm_local_start DIR  DIR is an existing, empty scratch folder; the conf,
#                        state, spool, pid files and logs all go there. It
#                        exports SLURM_CONF, so sbatch/sinfo/squeue/scancel
#                        talk to this cluster only. Returns 0 once the node
#                        is idle; otherwise cleans up what it started, sets
#                        slurm_local_why to one short reason fit for a TAP
#                        skip line and returns nonzero.
# slurm_local_stop       Cancels leftover jobs, stops slurmd and slurmctld
#                        (and munged if slurm_local_start started it), waits
#                        for them to exit (bounded) and restores SLURM_CONF.
#                        Quiet, never fails; safe to call twice or after a
#                        failed start. Put it in the test's EXIT trap.
#
# Needs root (the daemons run as SlurmUser=root) and the Debian packages
# slurm-wlm and munge. No cgroups or systemd: proctrack/linuxproc and
# task/none. Nothing is printed on stdout (that is TAP); the daemons'
# logs are in DIR/*.log. SLURM_LOCAL_TIMEOUT (seconds, default 30) bounds
# each wait.
#
# Variables and helpers prefixed with _sl_ are private to this file.

# shellcheck disable=SC2034 # read by the caller
slurm_local_why=
slurm_local_dir=
slurm_local_node=
_sl_munged_pid=
_sl_started=

# _sl_now: seconds since the epoch (date +%s is not POSIX, but GNU,
# BSD and busybox date all have it).
_sl_now() { date +%s; }

# _sl_nap: a short pause between polls; sleep may not take fractions.
_sl_nap() { sleep 0.2 2>/dev/null || sleep 1; }

# _sl_alive PID [NAME]: PID is a running process (a zombie counts as
# gone: daemons are reparented, and their reaper may be slow), and, with
# NAME, one whose command name is NAME, so that a recycled PID from a
# stale pid file is never signalled.
_sl_alive() {
    case $1 in '' | *[!0-9]*) return 1 ;; esac
    _sl_st=$(ps -o stat= -o comm= -p "$1" 2>/dev/null) || return 1
    case $_sl_st in '' | Z* | ' Z'*) return 1 ;; esac
    if [ -n "${2-}" ]; then
        case " $_sl_st " in *" $2 "*) ;; *) return 1 ;; esac
    fi
    return 0
}

# _sl_pid FILE: the PID in a pid file, or nothing.
_sl_pid() { [ ! -s "$1" ] || head -n 1 "$1" 2>/dev/null | tr -cd 0-9; }

# _sl_kill PID NAME: TERM, wait up to 10 s, then KILL and wait 2 s more.
_sl_kill() {
    _sl_alive "$1" "$2" || return 0
    kill -TERM "$1" 2>/dev/null
    _sl_end=$(($(_sl_now) + 10))
    while _sl_alive "$1" "$2" && [ "$(_sl_now)" -le "$_sl_end" ]; do _sl_nap; done
    _sl_alive "$1" "$2" || return 0
    echo "slurm-local: $2 ($1) ignored TERM, killing it" >&2
    kill -KILL "$1" 2>/dev/null
    _sl_end=$(($(_sl_now) + 2))
    while _sl_alive "$1" && [ "$(_sl_now)" -le "$_sl_end" ]; do _sl_nap; done
    return 0
}

# _sl_reap_steps: KILL job steps that outlived slurmd (scancel is the
# normal way; this is for a slurmctld that died or would not answer).
# Ours are the slurmstepd processes holding DIR/slurmd.log open, each
# with its job in its own session. Linux only (reads /proc).
_sl_reap_steps() {
    _sl_mysid=$(ps -o sid= -p $$ | tr -d ' ')
    for _sl_p in $(ps -eo pid=,comm= | awk '$2 == "slurmstepd" { print $1 }'); do
        # shellcheck disable=SC2010 # the link targets are what we want
        ls -l "/proc/$_sl_p/fd" 2>/dev/null | grep -qF "$_sl_d/slurmd.log" || continue
        _sl_sid=$(ps -o sid= -p "$_sl_p" | tr -d ' ')
        case $_sl_sid in '' | "$_sl_mysid" | *[!0-9]*) continue ;; esac
        echo "slurm-local: killing job step session $_sl_sid" >&2
        # shellcheck disable=SC2046 # one PID a word
        kill -KILL $(ps -eo pid=,sid= | awk -v s="$_sl_sid" '$2 == s { print $1 }') 2>/dev/null
    done
    return 0
}

# _sl_port_busy PORT: some TCP socket, in any state, uses PORT locally.
# Reads /proc/net/tcp{,6} (Linux; elsewhere everything looks free).
_sl_port_busy() {
    _sl_hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v p=":$_sl_hex" 'NR > 1 && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }'
}

# _sl_pick_ports: set _sl_ctld_port and _sl_slurmd_port to two free
# ports in 20000-31999: above a real cluster's 6817/6818 and below the
# usual ephemeral range (32768 up), so an outgoing connection cannot take
# one between the check and the bind. Start from one derived from our
# PID, so that parallel tests do not collide, and step on when busy.
_sl_pick_ports() {
    _sl_try=0
    _sl_p=$(($$ % 1200 * 10))
    while [ $_sl_try -lt 50 ]; do
        if ! _sl_port_busy $((20000 + _sl_p)) && ! _sl_port_busy $((20001 + _sl_p)); then
            _sl_ctld_port=$((20000 + _sl_p))
            _sl_slurmd_port=$((20001 + _sl_p))
            return 0
        fi
        _sl_try=$((_sl_try + 1))
        _sl_p=$(((_sl_p + 10) % 12000))
    done
    return 1
}

# _sl_munge_ok [SOCKET]: a munged answers on SOCKET (default: the
# system one), i.e. a credential encodes and decodes.
_sl_munge_ok() {
    if [ -n "${1-}" ]; then
        munge -n -S "$1" 2>/dev/null | unmunge -S "$1" >/dev/null 2>&1
    else
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1
    fi
}

# _sl_fail REASON: record why, undo what was started, return 1.
_sl_fail() {
    slurm_local_why=$1
    echo "slurm-local: $1" >&2
    slurm_local_stop
    return 1
}

# The public functions run their bodies on the left of ||, where the
# shell ignores set -e, so that a caller's set -e cannot cut a start or a
# stop off halfway (polls and kills fail on purpose now and then).
slurm_local_start() { _sl_start "$@" || return 1; }
slurm_local_stop() { _sl_stop || :; }

_sl_start() {
    slurm_local_why=
    _sl_started=yes
    _sl_munged_pid=
    # Remember SLURM_CONF so that slurm_local_stop can put it back.
    _sl_had_conf=${SLURM_CONF+yes}
    _sl_old_conf=${SLURM_CONF-}
    _sl_timeout=${SLURM_LOCAL_TIMEOUT:-30}

    slurm_local_dir=${1-}
    if [ -z "$slurm_local_dir" ] || [ ! -d "$slurm_local_dir" ]; then
        _sl_fail "slurm_local_start: no scratch folder '$slurm_local_dir'"
        return 1
    fi
    # Absolute, since the paths go into slurm.conf and daemons chdir.
    slurm_local_dir=$(cd "$slurm_local_dir" && pwd) || {
        _sl_fail "slurm_local_start: cannot enter '$1'"
        return 1
    }

    for _sl_cmd in slurmctld slurmd sbatch sinfo scontrol squeue scancel; do
        command -v $_sl_cmd >/dev/null 2>&1 || {
            _sl_fail "$_sl_cmd not installed (apt-get install slurm-wlm)"
            return 1
        }
    done
    for _sl_cmd in munged munge unmunge; do
        command -v $_sl_cmd >/dev/null 2>&1 || {
            _sl_fail "$_sl_cmd not installed (apt-get install munge)"
            return 1
        }
    done
    if [ "$(id -u)" != 0 ]; then
        _sl_fail "a local Slurm cluster needs root"
        return 1
    fi

    _sl_d=$slurm_local_dir
    slurm_local_node=$(hostname -s 2>/dev/null || hostname)
    _sl_cpus=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)

    # Munge: reuse a working system munged; otherwise start a private one
    # on a socket in DIR. The system socket folder (/run/munge) may not
    # exist when munge was never started since boot, and a private one
    # leaves the system alone. Slurm finds it through AuthInfo.
    _sl_authinfo=
    if ! _sl_munge_ok; then
        _sl_key=/etc/munge/munge.key
        [ -r "$_sl_key" ] || {
            _sl_fail "no readable munge key $_sl_key"
            return 1
        }
        _sl_sock=$_sl_d/munge.socket
        # --force: munged refuses to run with a key, log folder or socket
        # folder it deems insecure (wrong owner); the warnings go to the log.
        munged --force --key-file="$_sl_key" --socket="$_sl_sock" \
            --pid-file="$_sl_d/munged.pid" --log-file="$_sl_d/munged.log" \
            --seed-file="$_sl_d/munged.seed" \
            </dev/null >/dev/null 2>>"$_sl_d/munged.log" || {
            _sl_fail "munged would not start (see $_sl_d/munged.log)"
            return 1
        }
        _sl_end=$(($(_sl_now) + _sl_timeout))
        until _sl_munge_ok "$_sl_sock"; do
            if [ "$(_sl_now)" -gt "$_sl_end" ]; then
                _sl_munged_pid=$(_sl_pid "$_sl_d/munged.pid")
                _sl_fail "munged would not start (see $_sl_d/munged.log)"
                return 1
            fi
            _sl_nap
        done
        _sl_munged_pid=$(_sl_pid "$_sl_d/munged.pid")
        _sl_authinfo="AuthInfo=socket=$_sl_sock"
    fi

    _sl_pick_ports || {
        _sl_fail "no free TCP ports for slurmctld and slurmd"
        return 1
    }

    mkdir -p "$_sl_d/state" "$_sl_d/spool" || {
        _sl_fail "cannot create folders in $_sl_d"
        return 1
    }
    # An empty plugin stack, so that site SPANK plugins stay out.
    : >"$_sl_d/plugstack.conf"
    # NodeAddr and the address in SlurmctldHost pin everything to the
    # loopback, whether or not the host name resolves.
    cat >"$_sl_d/slurm.conf" <<EOF
# A private one-node test cluster, written by tests/slurm-local.sh.
ClusterName=labtest
SlurmctldHost=$slurm_local_node(127.0.0.1)
SlurmctldPort=$_sl_ctld_port
SlurmdPort=$_sl_slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
$_sl_authinfo
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# sbatch --wait polls every 2 s, then every 8 and 32 s unless MinJobAge
# is below 8; 4 keeps it at 2 s. Jobs stay listed at least that long
# after they end (slurmctld purges them about once a minute).
MinJobAge=4
# Schedule again as soon as a job ends (the default waits up to 3 s).
SchedulerParameters=batch_sched_delay=0
PlugStackConfig=$_sl_d/plugstack.conf
MailProg=/bin/true
StateSaveLocation=$_sl_d/state
SlurmdSpoolDir=$_sl_d/spool
SlurmctldPidFile=$_sl_d/slurmctld.pid
SlurmdPidFile=$_sl_d/slurmd.pid
SlurmctldLogFile=$_sl_d/slurmctld.log
SlurmdLogFile=$_sl_d/slurmd.log
NodeName=$slurm_local_node NodeAddr=127.0.0.1 CPUs=$_sl_cpus State=UNKNOWN
PartitionName=test Nodes=$slurm_local_node Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$_sl_d/slurm.conf"

    # Both daemons fork into the background; keep every standard stream
    # off the test's, or the TAP driver would wait for them to close it.
    slurmctld -f "$SLURM_CONF" </dev/null >/dev/null 2>>"$_sl_d/slurmctld.log" || {
        _sl_fail "slurmctld did not start (see $_sl_d/slurmctld.log)"
        return 1
    }
    _sl_end=$(($(_sl_now) + _sl_timeout))
    until scontrol ping 2>/dev/null | grep -q 'is UP'; do
        _sl_p=$(_sl_pid "$_sl_d/slurmctld.pid")
        if [ "$(_sl_now)" -gt "$_sl_end" ] ||
            { [ -n "$_sl_p" ] && ! _sl_alive "$_sl_p" slurmctld; }; then
            _sl_fail "slurmctld did not start (see $_sl_d/slurmctld.log)"
            return 1
        fi
        _sl_nap
    done

    slurmd -f "$SLURM_CONF" </dev/null >/dev/null 2>>"$_sl_d/slurmd.log" || {
        _sl_fail "slurmd did not start (see $_sl_d/slurmd.log)"
        return 1
    }
    _sl_end=$(($(_sl_now) + _sl_timeout))
    while :; do
        _sl_state=$(sinfo -h -N -n "$slurm_local_node" -o %t 2>/dev/null)
        [ "$_sl_state" = idle ] && break
        _sl_p=$(_sl_pid "$_sl_d/slurmd.pid")
        if [ -n "$_sl_p" ] && ! _sl_alive "$_sl_p" slurmd; then
            _sl_fail "slurmd did not start (see $_sl_d/slurmd.log)"
            return 1
        fi
        if [ "$(_sl_now)" -gt "$_sl_end" ]; then
            _sl_fail "node never became idle (state ${_sl_state:-unknown}; see $_sl_d/slurmd.log)"
            return 1
        fi
        _sl_nap
    done
    return 0
}

_sl_stop() {
    [ -n "$_sl_started" ] || return 0
    _sl_started=
    _sl_d=$slurm_local_dir
    if [ -n "$_sl_d" ] && [ -f "$_sl_d/slurm.conf" ]; then
        # Cancel what is left, so that no slurmstepd or job outlives the
        # cluster; only while slurmctld runs, as scancel would retry.
        # SLURM_CONF is given again in case the caller changed it.
        if _sl_alive "$(_sl_pid "$_sl_d/slurmctld.pid")" slurmctld &&
            [ -n "$(SLURM_CONF=$_sl_d/slurm.conf squeue -h -o %i 2>/dev/null)" ]; then
            SLURM_CONF=$_sl_d/slurm.conf scancel -u "$(id -un)" >/dev/null 2>&1
            _sl_end=$(($(_sl_now) + 10))
            while [ -n "$(SLURM_CONF=$_sl_d/slurm.conf squeue -h -o %i 2>/dev/null)" ] &&
                [ "$(_sl_now)" -le "$_sl_end" ]; do _sl_nap; done
        fi
        _sl_kill "$(_sl_pid "$_sl_d/slurmd.pid")" slurmd
        _sl_kill "$(_sl_pid "$_sl_d/slurmctld.pid")" slurmctld
        _sl_reap_steps
    fi
    # Only the munged this file started, never the system's.
    if [ -n "$_sl_munged_pid" ]; then
        _sl_kill "$_sl_munged_pid" munged
        _sl_munged_pid=
    fi
    if [ "$_sl_had_conf" = yes ]; then
        export SLURM_CONF="$_sl_old_conf"
    else
        unset SLURM_CONF
    fi
    return 0
}
