"""The scale benchmark's data set: hosts, existing bookings and probes.

Standard library only: the peer's virtualenv (blazar 18.0.0) imports this
module too, so that both allocators are timed on the same hosts, the same
calendar and the same requested windows.

Rules of the data set (fixed random seed):

* hosts have 32, 48 or 64 vCPUs, 4 GiB of RAM per vCPU and 2,000 GB of
  disk, with properties ``rack``, ``gpu`` (every tenth host) and ``cores``;
* bookings are spread round-robin over the hosts, 30 % whole hosts and
  70 % 1-4 instance slots of 1, 2, 4 or 8 vCPUs using at most half a
  host; every host has two slot lanes and a whole-host booking closes
  both, so no host is ever overbooked, by construction;
* the mean booking length shrinks as the calendar gets denser (at most
  3.5 days) so that every host's calendar spans about 90 days;
* probes are the windows that both allocators are asked about: random
  starts within the calendar, 1 hour to 3 days long.
"""

import json
import random
import uuid

NOW = 1_900_000_000
DAY = 86400
HORIZON = 90 * DAY
MAX_MEAN_LENGTH = 3.5 * DAY
WHOLE_HOST_SHARE = 0.3
# (vcpus, memory_mb, disk_gb) of one instance slot.
SLOT_SIZES = ((1, 2048, 10), (2, 4096, 20), (4, 8192, 40), (8, 16384, 80))
HALF_HOST_VCPUS = 16

HOST_PROBE = {'min': 1, 'max': 1,
              'hypervisor_properties': '[">=", "$memory_mb", "131072"]'}
INSTANCE_PROBE = {'amount': 4, 'vcpus': 4, 'memory_mb': 8192,
                  'disk_gb': 40}


def make_hosts(n_hosts, rng):
    """Host records, ids from 1."""
    hosts = []
    for index in range(n_hosts):
        vcpus = rng.choice((32, 48, 64))
        hosts.append({
            'id': index + 1,
            'uuid': str(uuid.UUID(int=rng.getrandbits(128))),
            'hypervisor_hostname': 'compute%05d' % index,
            'vcpus': vcpus, 'memory_mb': vcpus * 4096, 'local_gb': 2000,
            'properties': {'rack': 'r%02d' % (index % 40),
                           'gpu': 'true' if index % 10 == 0 else 'false',
                           'cores': str(vcpus)}})
    return hosts


def mean_length(n_hosts, n_bookings):
    """Seconds: long enough that each host's calendar spans HORIZON."""
    per_host = max(1.0, n_bookings / n_hosts)
    # A whole-host booking advances both lanes, a slot booking one of
    # two; with gaps of a quarter length on average, each booking adds
    # about 0.81 of a mean length to the host's calendar.
    return min(MAX_MEAN_LENGTH, HORIZON / (0.81 * per_host))


def _minutes(seconds):
    return max(600, int(seconds) // 60 * 60)


def make_bookings(hosts, n_bookings, rng):
    """Bookings as ``[host_id, start, end, vcpus, memory_mb, disk_gb,
    slots]``; ``vcpus`` is None for a whole host."""
    length = mean_length(len(hosts), n_bookings)
    lanes = {h['id']: [NOW + _minutes(rng.uniform(0, length))] * 2
             for h in hosts}
    bookings = []
    for number in range(n_bookings):
        host_id = hosts[number % len(hosts)]['id']
        lane = lanes[host_id]
        duration = _minutes(rng.uniform(0.25, 1.75) * length)
        gap = _minutes(rng.uniform(0, 0.5) * length)
        if rng.random() < WHOLE_HOST_SHARE:
            start = max(lane) + gap
            end = start + duration
            lane[0] = lane[1] = end
            bookings.append([host_id, start, end, None, None, None, 1])
            continue
        which = 0 if lane[0] <= lane[1] else 1
        start = lane[which] + gap
        end = start + duration
        lane[which] = end
        vcpus, memory_mb, disk_gb = rng.choice(SLOT_SIZES)
        slots = rng.randint(1, max(1, min(4, HALF_HOST_VCPUS // vcpus)))
        bookings.append([host_id, start, end, vcpus, memory_mb, disk_gb,
                         slots])
    span = sorted(max(lane) for lane in lanes.values())[len(lanes) // 2]
    return bookings, span - NOW


def make_probes(span, count, rng):
    """``count`` windows ``[start, end]`` inside the calendar's span."""
    probes = []
    for _ in range(count):
        start = NOW + _minutes(rng.uniform(0, max(DAY, span - DAY)))
        probes.append([start, start + _minutes(rng.uniform(3600, 3 * DAY))])
    return probes


def generate(n_hosts, n_bookings, seed=20261121, probes=64):
    """The whole data set as a JSON-ready dict."""
    rng = random.Random('%d-%d-%d' % (seed, n_hosts, n_bookings))
    hosts = make_hosts(n_hosts, rng)
    bookings, span = make_bookings(hosts, n_bookings, rng)
    return {'now': NOW, 'seed': seed, 'span_seconds': span,
            'hosts': hosts, 'bookings': bookings,
            'probes': {'host': make_probes(span, probes, rng),
                       'instance': make_probes(span, probes, rng)},
            'host_probe': HOST_PROBE, 'instance_probe': INSTANCE_PROBE}


def write(dataset, path):
    with open(path, 'w') as out:
        json.dump(dataset, out)


def read(path):
    with open(path) as data:
        return json.load(data)


def overbooked(dataset):
    """Hosts whose bookings ever exceed capacity (empty when valid)."""
    capacity = {h['id']: h for h in dataset['hosts']}
    changes = {}
    for host_id, start, end, vcpus, _mem, _disk, slots in dataset[
            'bookings']:
        use = capacity[host_id]['vcpus'] if vcpus is None else vcpus * slots
        changes.setdefault(host_id, []).extend([(start, use), (end, -use)])
    bad = []
    for host_id, points in changes.items():
        level = 0
        for _at, delta in sorted(points, key=lambda p: (p[0], p[1])):
            level += delta
            if level > capacity[host_id]['vcpus']:
                bad.append(host_id)
                break
    return bad
