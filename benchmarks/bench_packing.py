"""What packing saves: one stream of lease requests under pack, spread and
random (issue 19).

The allocator's pure decision functions
(``physical_host.allocation.choose_hosts``,
``virtual_instance.allocation.choose_slots``) run in this process on a
simulated cluster, with no database and no Placement. Every accepted
request becomes bookings that later decisions see; a refusal
(``NotEnoughResources``) is counted and dropped. Each policy sees the same
requests in the same order (one seed); ``random``'s own shuffles come from
a second seeded generator.

The cluster: ``--hosts`` (100) hosts of one size, 64 vCPUs, 256 GB of RAM
and 2,000 GB of disk, all reservable, no property filters, cleaning margin
``--margin`` (0 s).

The stream, over ``--days`` (30) days, decided at each arrival in order:

* arrivals: ``poisson``, a Poisson process of ``--rate`` (5) requests an
  hour; ``diurnal``, a non-homogeneous Poisson process of the same mean
  rate whose rate is 3 x on weekdays from 08:00 to 18:00 and the rest
  spread evenly over the other hours (thinning; day 0 is a Monday);
* type: 30 % ``physical:host`` for ``min = max`` = 1, 2, 3 or 4 hosts
  (probability 0.4, 0.3, 0.2, 0.1), 70 % ``virtual:instance`` of 1 to 8
  slots (uniform), affinity null, each slot 1, 2, 4 or 8 vCPUs (equally
  likely) with 4 GB of RAM and 20 GB of disk per vCPU;
* duration: log-normal, median 8 hours, sigma 1.0 (mean 13.2 hours),
  clipped to 1 hour .. 7 days, whole minutes;
* advance notice (start minus arrival): uniform 0 to 48 hours, whole
  minutes.

Figures per stream and policy, over the measured period from day 2 to
day ``--days`` (the first two days fill the calendar):

* requests accepted and refused, per type, and refused host-hours (a
  refused host lease counts hosts x hours, a refused instance lease its
  vCPUs / 64 x hours);
* host-hours that could be powered down: per host, the free stretches
  (nothing booked, margin included) of at least ``--min-off`` (60)
  minutes, clipped to the measured period, summed. Judged afterwards,
  knowing every booking: a host powered down in such a stretch would have
  been needed again only at its end;
* fragmentation, sampled every hour: hosts partly used (some but not all
  vCPUs booked, no whole-host lease), hosts entirely free, and the share
  of the free vCPUs that sit on partly used hosts;
* occupied host-hours (something booked on the host), the demand
  accepted in host-hours (over the whole stream, as refusals count it)
  and the run time of the replay.

No public cluster trace is on this machine (and there is no internet but
the package registries), so both streams are synthetic, stated above.

Usage::

    python -m benchmarks.bench_packing [--hosts 100] [--days 30]
        [--rate 5] [--seed 20261207] [--margin 0] [--min-off 60]
        [--json FILE] [--plot FILE.png]
"""

import argparse
import json
import math
import os
import random
import sys
import time

from placement_ext.allocator import model
from placement_ext import exception
from placement_ext.reservations.physical_host import allocation as host_alloc
from placement_ext.reservations.physical_host import request as host_req
from placement_ext.reservations.virtual_instance import allocation \
    as slot_alloc
from placement_ext.reservations.virtual_instance import request as slot_req

HOUR = 3600
DAY = 24 * HOUR
VCPUS = 64
CAPACITY = {'vcpus': VCPUS, 'memory_mb': VCPUS * 4096, 'local_gb': 2000}
POLICIES = ('pack', 'spread', 'random')
STREAMS = ('poisson', 'diurnal')
WARMUP = 2 * DAY
HOST_COUNTS = ((1, 0.4), (2, 0.3), (3, 0.2), (4, 0.1))
SLOT_VCPUS = (1, 2, 4, 8)
# Forget bookings that ended this long before the clock: they can no
# longer meet a window nor change a gap (policies.PACK_HORIZON is 7 days).
FORGET = 8 * DAY


def _weighted(rng, pairs):
    x = rng.random()
    for value, weight in pairs:
        x -= weight
        if x < 0:
            return value
    return pairs[-1][0]


def _diurnal_factor(t):
    """Rate multiplier at ``t``: 3 on weekdays 08:00-18:00, the rest such
    that the week's mean is 1."""
    busy_hours = 5 * 10
    rest = (168 - 3 * busy_hours) / (168 - busy_hours)
    day = (t // DAY) % 7
    hour = (t % DAY) // HOUR
    return 3.0 if day < 5 and 8 <= hour < 18 else rest


def make_stream(kind, rng, days, rate):
    """The requests as dicts, in arrival order."""
    horizon = days * DAY
    top = 3.0 if kind == 'diurnal' else 1.0
    stream = []
    t = 0.0
    while True:
        t += rng.expovariate(rate * top / HOUR)
        if t >= horizon:
            break
        if kind == 'diurnal' and rng.random() * top > _diurnal_factor(t):
            continue
        arrival = int(t)
        notice = rng.randrange(0, 48 * 60 + 1) * 60
        hours = math.exp(rng.gauss(math.log(8), 1.0))
        duration = int(min(max(hours, 1.0), 7 * 24.0) * 60) * 60
        start = arrival + notice
        if rng.random() < 0.3:
            count = _weighted(rng, HOST_COUNTS)
            stream.append({'type': 'physical:host', 'arrival': arrival,
                           'start': start, 'end': start + duration,
                           'hosts': count})
        else:
            stream.append({'type': 'virtual:instance', 'arrival': arrival,
                           'start': start, 'end': start + duration,
                           'amount': rng.randrange(1, 9),
                           'vcpus': rng.choice(SLOT_VCPUS)})
    return stream


def _request_of(item):
    if item['type'] == 'physical:host':
        return host_req.HostRequest(min_count=item['hosts'],
                                    max_count=item['hosts'])
    return slot_req.InstanceRequest(
        amount=item['amount'], vcpus=item['vcpus'],
        memory_mb=item['vcpus'] * 4096, disk_gb=item['vcpus'] * 20)


def _demand_host_hours(item):
    hours = (item['end'] - item['start']) / HOUR
    if item['type'] == 'physical:host':
        return item['hosts'] * hours
    return item['amount'] * item['vcpus'] / VCPUS * hours


def replay(stream, policy, n_hosts, margin, seed):
    """Decide every request in order; return the bookings per host id and
    the counts."""
    hosts = [model.Host(i, 'compute%03d' % i, True, dict(CAPACITY), {})
             for i in range(1, n_hosts + 1)]
    live = {h.id: [] for h in hosts}
    every = {h.id: [] for h in hosts}
    policy_rng = random.Random(seed)
    counts = {kind: {'accepted': 0, 'refused': 0, 'refused_host_hours': 0.0}
              for kind in ('physical:host', 'virtual:instance')}
    began = time.perf_counter()
    for n, item in enumerate(stream):
        if n % 200 == 0:
            cutoff = item['arrival'] - FORGET
            for host_id, bookings in live.items():
                live[host_id] = [b for b in bookings if b.end > cutoff]
        request = _request_of(item)
        kind = item['type']
        choose = (host_alloc.choose_hosts if kind == 'physical:host'
                  else slot_alloc.choose_slots)
        try:
            decision = choose(request, item['start'], item['end'], hosts,
                              live, policy=policy, margin=margin,
                              rng=policy_rng)
        except exception.NotEnoughResources:
            counts[kind]['refused'] += 1
            counts[kind]['refused_host_hours'] += _demand_host_hours(item)
            continue
        counts[kind]['accepted'] += 1
        for host_id, slots in decision.slots_by_host.items():
            if kind == 'physical:host':
                booking = model.Booking(host_id, str(n), item['start'],
                                        item['end'], True, {}, slots)
            else:
                booking = model.Booking(
                    host_id, str(n), item['start'], item['end'], False,
                    {k: v * slots
                     for k, v in request.slot_size().items()}, slots)
            live[host_id].append(booking)
            every[host_id].append(booking)
    return every, counts, time.perf_counter() - began


def _busy_union(bookings, margin):
    merged = []
    for s, e in sorted((b.start, b.end + margin) for b in bookings):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return merged


def power_down_hours(every, margin, lo, hi, min_off):
    """Host-hours in free stretches of at least ``min_off`` seconds within
    ``[lo, hi)``, and the host-hours there in which something (anything)
    is booked on the host."""
    off = busy = 0
    for bookings in every.values():
        cursor = lo
        for s, e in _busy_union(bookings, margin):
            s, e = max(s, lo), min(e, hi)
            if e <= s:
                continue
            if s - cursor >= min_off:
                off += s - cursor
            busy += e - s
            cursor = e
        if hi - cursor >= min_off:
            off += hi - cursor
    return off / HOUR, busy / HOUR


def fragmentation(every, margin, lo, hi, step=HOUR):
    """Hourly samples: hosts entirely free, hosts partly used and the share
    of free vCPUs on partly used hosts."""
    instants = list(range(lo, hi, step))
    free_hosts = [0] * len(instants)
    partly = [0] * len(instants)
    free_on_partly = [0] * len(instants)
    free_total = [0] * len(instants)
    for bookings in every.values():
        used = [0] * len(instants)
        for b in bookings:
            first = max(0, -(-(b.start - lo) // step))
            last = min(len(instants), -(-(b.end + margin - lo) // step))
            take = VCPUS if b.whole_host else b.usage.get('vcpus', 0)
            for i in range(first, last):
                used[i] += take
        for i, u in enumerate(used):
            u = min(u, VCPUS)
            free_total[i] += VCPUS - u
            if u == 0:
                free_hosts[i] += 1
            elif u < VCPUS:
                partly[i] += 1
                free_on_partly[i] += VCPUS - u
    shares = [f / t for f, t in zip(free_on_partly, free_total) if t]
    return {
        'mean_free_hosts': round(sum(free_hosts) / len(instants), 2),
        'mean_partly_used_hosts': round(sum(partly) / len(instants), 2),
        'mean_share_of_free_vcpus_on_partly_used_hosts':
            round(sum(shares) / len(shares), 4) if shares else 0.0,
    }, free_hosts


def run(args):
    report = {'hosts': args.hosts, 'host_size': CAPACITY,
              'days': args.days, 'rate_per_hour': args.rate,
              'seed': args.seed, 'margin_seconds': args.margin,
              'min_off_minutes': args.min_off,
              'measured_from_day': WARMUP // DAY, 'cpus': os.cpu_count(),
              'trace': 'none on this machine; both streams synthetic',
              'streams': {}}
    series = {}
    lo, hi = WARMUP, args.days * DAY
    for kind in STREAMS:
        stream = make_stream(kind, random.Random('%s-%s' % (args.seed, kind)),
                             args.days, args.rate)
        entry = {'requests': len(stream),
                 'by_type': {t: sum(1 for r in stream if r['type'] == t)
                             for t in ('physical:host', 'virtual:instance')},
                 'demand_host_hours': round(sum(
                     _demand_host_hours(r) for r in stream), 1),
                 'policies': {}}
        for policy in POLICIES:
            every, counts, seconds = replay(stream, policy, args.hosts,
                                            args.margin, args.seed)
            off, busy = power_down_hours(every, args.margin, lo, hi,
                                         args.min_off * 60)
            frag, free_series = fragmentation(every, args.margin, lo, hi)
            refused = sum(c['refused'] for c in counts.values())
            entry['policies'][policy] = dict(
                accepted=sum(c['accepted'] for c in counts.values()),
                refused=refused,
                refused_host_hours=round(sum(
                    c['refused_host_hours'] for c in counts.values()), 1),
                by_type={k: dict(v, refused_host_hours=round(
                    v['refused_host_hours'], 1)) for k, v in counts.items()},
                power_down_host_hours=round(off, 1),
                power_down_share=round(
                    off / (args.hosts * (hi - lo) / HOUR), 4),
                occupied_host_hours=round(busy, 1),
                accepted_demand_host_hours=round(
                    entry['demand_host_hours'] - sum(
                        c['refused_host_hours'] for c in counts.values()),
                    1),
                replay_seconds=round(seconds, 2), **frag)
            series[(kind, policy)] = free_series
            p = entry['policies'][policy]
            print('%-8s %-7s accepted %5d refused %4d (%7.0f host-h) '
                  'power-down %8.0f host-h (%4.1f %%) free hosts %5.1f '
                  'partly used %5.1f frag %4.2f  %5.1f s' % (
                      kind, policy, p['accepted'], refused,
                      p['refused_host_hours'], off,
                      100 * p['power_down_share'], p['mean_free_hosts'],
                      p['mean_partly_used_hosts'],
                      p['mean_share_of_free_vcpus_on_partly_used_hosts'],
                      seconds))
        report['streams'][kind] = entry
    return report, series


def plot(report, series, path, days):
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot

    colours = {'pack': '#1b7837', 'spread': '#c51b7d', 'random': '#4d4d4d'}
    figure, axes = pyplot.subplots(1, 3, figsize=(15, 4.2),
                                   gridspec_kw={'width_ratios': [1, 1, 2]})
    width = 0.26
    for i, policy in enumerate(POLICIES):
        xs = [j + (i - 1) * width for j in range(len(STREAMS))]
        for ax, key, scale in ((axes[0], 'power_down_host_hours', 1000),
                               (axes[1], 'refused', 1)):
            values = [report['streams'][s]['policies'][policy][key] / scale
                      for s in STREAMS]
            bars = ax.bar(xs, values, width, label=policy,
                          color=colours[policy])
            ax.bar_label(bars, fmt='%.1f' if scale > 1 else '%d',
                         fontsize=8)
    for ax, title in ((axes[0], 'host-hours that could be powered down\n'
                       '(thousands, free >= %d min)'
                       % report['min_off_minutes']),
                      (axes[1], 'refused requests')):
        ax.set_xticks(range(len(STREAMS)))
        ax.set_xticklabels(STREAMS)
        ax.set_title(title, fontsize=10)
    axes[0].legend(fontsize=8)
    days_shown = 7
    lo = report['measured_from_day']
    for policy in POLICIES:
        values = series[('poisson', policy)][:days_shown * 24]
        axes[2].step([lo + h / 24 for h in range(len(values))], values,
                     where='post', label=policy, color=colours[policy])
    axes[2].set_xlabel('day')
    axes[2].set_ylabel('hosts with nothing booked')
    axes[2].set_title('entirely free hosts, poisson stream, days %d-%d'
                      % (lo, lo + days_shown), fontsize=10)
    axes[2].legend(fontsize=8)
    figure.suptitle('%d hosts, %d days, %.0f requests/hour: the same '
                    'requests under each policy'
                    % (report['hosts'], days, report['rate_per_hour']),
                    fontsize=11)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--hosts', type=int, default=100)
    parser.add_argument('--days', type=int, default=30)
    parser.add_argument('--rate', type=float, default=5.0,
                        help='mean requests per hour')
    parser.add_argument('--seed', type=int, default=20261207)
    parser.add_argument('--margin', type=int, default=0,
                        help='cleaning margin, seconds')
    parser.add_argument('--min-off', type=int, default=60,
                        help='shortest free stretch counted, minutes')
    parser.add_argument('--json', help='write the figures to this file')
    parser.add_argument('--plot', help='draw the PNG to this file '
                                       '(needs matplotlib)')
    args = parser.parse_args(argv)
    began = time.perf_counter()
    report, series = run(args)
    report['total_seconds'] = round(time.perf_counter() - began, 1)
    if args.json:
        with open(args.json, 'w') as out:
            json.dump(report, out, indent=2)
    if args.plot:
        plot(report, series, args.plot, args.days)
    return 0


if __name__ == '__main__':
    sys.exit(main())
