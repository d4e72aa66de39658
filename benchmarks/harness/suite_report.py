"""Tables and plots of the side-by-side suite (``run_suite.py``).

Ratios are the peer's median over ours: above 1 when ours is faster.
Growth is the slope of log(median) against log(size) between the smallest
and the largest size of a series: 1 means linear, 0 flat.
"""

import math
import os

OPERATIONS = ('host decision', 'instance decision')
SIDES = (('ours', 'ours'), ('blazar', 'Blazar 18.0.0'))


def median(entry, side, operation):
    """A side's median in ms at one allocation point, or None."""
    try:
        return entry[side]['results'][operation]['median_ms']
    except (KeyError, TypeError):
        return None


def lower_bound(entry, side, operation):
    """A side's lower bound in ms when its decision was abandoned at the
    deadline before any finished, or None."""
    try:
        result = entry[side]['results'][operation]
    except (KeyError, TypeError):
        return None
    return result.get('lower_bound_ms') if result.get('median_ms') is None \
        else None


def cost(entry, side, operation):
    """``(ms, is_lower_bound)``: the median, else the deadline's lower
    bound, else ``(None, False)``."""
    value = median(entry, side, operation)
    if value is not None:
        return value, False
    bound = lower_bound(entry, side, operation)
    return bound, bound is not None


def projected(points, entry, operation):
    """Blazar's projected ms for a decision abandoned at the deadline:
    the time it ran scaled by the queries such a decision sends (those of
    a finished one at the same backend and host count: the host plugin
    sends two per host whatever the reservations) over the queries it had
    done. Its queries each scan the allocations, so they cost about the
    same all along. None without a finished decision to count from."""
    try:
        unfinished = entry['blazar']['results'][operation]['unfinished']
    except (KeyError, TypeError):
        return None
    done = unfinished.get('queries_done')
    if not done:
        return None
    counts = []
    for other in sorted(points.values(), key=lambda e: -e['reservations']):
        if other['hosts'] != entry['hosts'] or other is entry:
            continue
        try:
            outcomes = other['blazar']['results'][operation]['outcomes']
        except (KeyError, TypeError):
            continue
        counts = sorted(o['queries'] for o in outcomes if o.get('queries'))
        if counts:
            break
    if not counts:
        return None
    return unfinished['after_seconds'] * 1000.0 * counts[
        len(counts) // 2] / done


def ratio(peer, ours):
    if not peer or not ours:
        return None
    return peer / ours


def agreement(entry, operation):
    """``(same, compared)``: probes both sides decided the same way
    (granted or refused), among those both decided."""
    try:
        outcomes = [{o['probe']: o['granted'] for o in
                     entry[side]['results'][operation]['outcomes']}
                    for side in ('ours', 'blazar')]
    except (KeyError, TypeError):
        return None
    common = set(outcomes[0]) & set(outcomes[1])
    same = sum(1 for p in common if outcomes[0][p] == outcomes[1][p])
    return same, len(common)


def point_line(entry):
    """One line per point for progress output."""
    parts = []
    for operation in OPERATIONS:
        ours = median(entry, 'ours', operation)
        peer, bounded = cost(entry, 'blazar', operation)
        value = ratio(peer, ours)
        parts.append('%s: ours %s ms, Blazar %s ms, x%s' % (
            operation.split()[0], _fmt(ours), _fmt(peer, bounded),
            _fmt(value, bounded)))
    return '; '.join(parts)


def _fmt(value, bounded=False):
    """Three significant figures at most, thousands separated; ``> x``
    for a lower bound."""
    if value is None:
        return '-'
    if value >= 100:
        text = '{:,.0f}'.format(value)
    elif value >= 10:
        text = '%.1f' % value
    else:
        text = '%.2f' % value
    return '> ' + text if bounded else text


def growth(series):
    """``(slope, is_lower_bound)``: the slope of log(cost) over log(size)
    between the ends of a series of ``(size, cost, is_lower_bound)``; a
    lower bound when the largest size's cost is one (and the smallest's is
    not); None with fewer than two usable points."""
    points = sorted((s, c, b) for s, c, b in series if c)
    if len(points) < 2 or points[0][0] == points[-1][0] or points[0][2]:
        return None
    (s0, c0, _), (s1, c1, bounded) = points[0], points[-1]
    return math.log(c1 / c0) / math.log(s1 / s0), bounded


def allocation_rows(report):
    """``(backend, hosts, reservations, operation, ours, (peer,
    bounded), ratio, ours runs, peer runs, agreement, projected)`` for
    every measured point."""
    rows = []
    for backend, points in sorted(report.get('allocation', {}).items()):
        for entry in sorted(points.values(), key=lambda e: (
                e['hosts'], e['reservations'])):
            for operation in OPERATIONS:
                ours = median(entry, 'ours', operation)
                peer = cost(entry, 'blazar', operation)
                runs = [(entry.get(side) or {}).get('results', {}).get(
                    operation, {}).get('runs') for side in ('ours',
                                                            'blazar')]
                rows.append((backend, entry['hosts'], entry['reservations'],
                             operation, ours, peer, ratio(peer[0], ours),
                             runs[0], runs[1], agreement(entry, operation),
                             projected(points, entry, operation)))
    return rows


def growth_rows(report):
    """Growth exponents of each side against hosts (at each reservation
    count) and against reservations (at each host count)."""
    rows = []
    for backend, points in sorted(report.get('allocation', {}).items()):
        entries = list(points.values())
        for axis, fixed in (('hosts', 'reservations'),
                            ('reservations', 'hosts')):
            for level in sorted({e[fixed] for e in entries}):
                line = [e for e in entries if e[fixed] == level]
                for operation in OPERATIONS:
                    slopes = [growth([(e[axis],) + cost(e, side, operation)
                                      for e in line]) for side, _ in SIDES]
                    if None in slopes:
                        continue
                    estimate = None
                    if slopes[1][1]:  # a lower bound: and projected?
                        estimate = growth([
                            (e[axis], projected(points, e, operation)
                             or cost(e, 'blazar', operation)[0], False)
                            for e in line])
                    rows.append((backend, axis, fixed, level, operation,
                                 slopes[0], slopes[1],
                                 estimate[0] if estimate else None))
    return rows


def _slope(value, estimate=None):
    slope, bounded = value
    text = ('≥ %.2f' if bounded else '%.2f') % slope
    if estimate is not None:
        text += ' (%.2f projected)' % estimate
    return text


def filter_rows(report):
    rows = []
    results = report.get('filter', {}).get('results', {})
    for size in sorted(results, key=int):
        for scenario, figures in results[size].items():
            rows.append((int(size), scenario,
                         figures['ours']['median_ms'],
                         figures['blazar_nova']['median_ms'],
                         figures.get('ratio')))
    return rows


def markdown(report):
    """The summary as Markdown tables."""
    lines = ['# Side by side with Blazar: summary', '']
    machine = report.get('machine', {})
    lines.append('Machine: %s CPUs (%s), %s GiB, Python %s, commit %s; '
                 'load %s before, %s after; started %s.' % (
                     machine.get('cpus'), machine.get('cpu'),
                     machine.get('memory_gib'), machine.get('python'),
                     machine.get('commit'), machine.get('load_before'),
                     machine.get('load_after'), report.get('started')))
    lines += ['', '## Allocation decisions (median ms; ratio = Blazar / '
              'ours; "> x": Blazar abandoned at the deadline, with the '
              'time it would have taken at the rate of its queries so '
              'far)', '',
              '| Backend | Hosts | Reservations | Decision | Ours | Blazar '
              '| Ratio | Runs (ours/Blazar) | Same outcome |',
              '| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |']
    for (backend, hosts, reservations, operation, ours, (peer, bounded),
         value, ours_runs, peer_runs, agreed, estimate) in allocation_rows(
            report):
        peer_text = _fmt(peer, bounded)
        if estimate:
            peer_text += ' (~%s projected)' % _fmt(estimate)
        lines.append('| %s | %s | %s | %s | %s | %s | %s | %s/%s | %s |' % (
            backend, '{:,}'.format(hosts), '{:,}'.format(reservations),
            operation.split()[0], _fmt(ours), peer_text,
            _fmt(value, bounded), ours_runs, peer_runs,
            '%d/%d' % agreed if agreed else '-'))
    rows = growth_rows(report)
    if rows:
        lines += ['', '## Growth (slope of log cost over log size, '
                  'smallest to largest size; 1 = linear)', '',
                  '| Backend | Against | At | Decision | Ours | Blazar |',
                  '| --- | --- | --- | --- | ---: | ---: |']
        for (backend, axis, fixed, level, operation, ours, peer,
             estimate) in rows:
            lines.append('| %s | %s | %s %s | %s | %s | %s |' % (
                backend, axis, '{:,}'.format(level), fixed,
                operation.split()[0], _slope(ours), _slope(peer, estimate)))
    rows = filter_rows(report)
    if rows:
        lines += ['', '## Scheduler filter (median ms; ratio = blazar-nova '
                  '/ ours)', '',
                  '| Hosts | Scenario | Ours | blazar-nova | Ratio |',
                  '| ---: | --- | ---: | ---: | ---: |']
        for size, scenario, ours, peer, value in rows:
            lines.append('| %s | %s | %s | %s | %s |' % (
                '{:,}'.format(size), scenario, _fmt(ours), _fmt(peer),
                _fmt(value)))
    for part, render in (('api', api_lines), ('lateness', lateness_lines),
                         ('memory', memory_lines)):
        if part in report:
            try:
                lines += [''] + render(report[part])
            except (KeyError, TypeError, ValueError) as exc:
                lines += ['', '## %s' % part, '',
                          '(no table: %s missing)' % exc, '', '```json',
                          _short_json(report[part]), '```']
    for part, error in report.get('errors', {}).items():
        lines += ['', '**%s failed:** %s' % (part, error)]
    return '\n'.join(lines) + '\n'


def api_lines(api):
    """Lease throughput through both APIs, per store and operation."""
    lines = ['## Lease throughput through the APIs (%d clients; ratio = '
             'ours / Blazar in requests/s)' % api['workload']['clients'],
             '', '| Operation | Side | Requests/s | Median ms | p99 ms '
             '| Errors | Ratio |', '| --- | --- | ---: | ---: | ---: | ---: '
             '| ---: |']
    rows = [('ours, %s' % store, entry['figures'], store)
            for store, entry in api['ours'].items()]
    if api.get('blazar'):
        rows.append(('Blazar 18.0.0', api['blazar']['figures'], None))
    for operation in ('create', 'show', 'list', 'delete'):
        for name, figures, store in rows:
            fig = figures[operation]
            value = ((api.get('ratio') or {}).get(store) or {}).get(
                operation) if store else None
            lines.append('| %s | %s | %s | %s | %s | %s | %s |' % (
                operation, name, _fmt(fig.get('requests_per_s')),
                _fmt(fig.get('median_ms')), _fmt(fig.get('p99_ms')),
                fig.get('errors'),
                _fmt(value['requests_per_s_ours_over_blazar'])
                if value else ''))
    if api.get('blazar_error'):
        lines += ['', 'Blazar could not be stood up: %s'
                  % api['blazar_error']]
    return lines


def lateness_lines(late):
    """Start and end lateness of the leases due at one second."""
    lines = ['## Lateness of %d leases due at the same second (seconds; '
             'ratio = Blazar / ours)' % late['leases'], '',
             '| Event | Side | Median | p90 | Max | Last done after due '
             '| Done | Errors |',
             '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |']
    for phase in ('start', 'end'):
        for side in ('ours', 'blazar'):
            fig = (late.get(side) or {}).get(phase)
            if not fig:
                continue
            lines.append('| %s | %s | %s | %s | %s | %s | %s/%s | %s |' % (
                phase, side, _fmt(fig['median_s']), _fmt(fig['p90_s']),
                _fmt(fig['max_s']), _fmt(fig['all_done_after_due_s']),
                fig['done'], fig['events'], fig['errors']))
    for phase, value in (late.get('ratios') or {}).items():
        lines.append('')
        lines.append('%s: median x%s, last done x%s' % (
            phase, _fmt(value.get('median_blazar_over_ours')),
            _fmt(value.get('all_done_blazar_over_ours'))))
    return lines


def memory_lines(memory):
    """Peak RSS of our API and agent at the memory benchmark's size."""
    lines = ['## Memory at %s hosts and %s reservations (%s; MiB)' % (
        '{:,}'.format(memory['hosts']), '{:,}'.format(
            memory['reservations']), memory['backend']), '',
        '| Process | Idle RSS | Peak (VmHWM) | RSS after the load |',
        '| --- | ---: | ---: | ---: |']
    for name in ('api', 'agent'):
        row = memory[name]
        lines.append('| %s | %s | %s | %s |' % (
            name, _fmt(row['idle_rss_mib']), _fmt(row['peak_mib']),
            _fmt(row['after_rss_mib'])))
    lines.append('| placement | | %s | %s |' % (
        _fmt(memory['placement']['peak_mib']),
        _fmt(memory['placement']['after_rss_mib'])))
    return lines


def _short_json(value):
    import json
    text = json.dumps(value, indent=1, default=str)
    return text if len(text) < 6000 else text[:6000] + '\n...'


def plot_allocation(report, out_dir, axis, fixed, name):
    """Cost against ``axis`` with one line per ``fixed`` level, ours
    solid and Blazar dashed, log-log, one panel per backend and decision."""
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot

    backends = sorted(b for b, points in report.get(
        'allocation', {}).items() if len(points) > 1)
    if not backends:
        return None
    figure, panels = pyplot.subplots(
        len(backends), len(OPERATIONS), squeeze=False,
        figsize=(6 * len(OPERATIONS), 4.2 * len(backends)))
    for row, backend in enumerate(backends):
        entries = list(report['allocation'][backend].values())
        levels = sorted({e[fixed] for e in entries})
        for col, operation in enumerate(OPERATIONS):
            panel = panels[row][col]
            for number, level in enumerate(levels):
                line = sorted((e for e in entries if e[fixed] == level),
                              key=lambda e: e[axis])
                colour = 'C%d' % number
                for side, label in SIDES:
                    points = [(e[axis],) + cost(e, side, operation)
                              for e in line]
                    points = [p for p in points if p[1]]
                    if not points:
                        continue
                    panel.plot([p[0] for p in points],
                               [p[1] for p in points], color=colour,
                               linestyle='-' if side == 'ours' else '--',
                               marker='o' if side == 'ours' else 'x',
                               label='%s, %s %s' % (
                                   label, '{:,}'.format(level), fixed))
                    bounds = [p for p in points if p[2]]
                    if bounds:  # abandoned at the deadline: at least this
                        panel.plot([p[0] for p in bounds],
                                   [p[1] for p in bounds], color=colour,
                                   linestyle='none', marker='^',
                                   markersize=9)
                    guesses = [(e[axis], projected(
                        report['allocation'][backend], e, operation))
                        for e in line] if side == 'blazar' else []
                    guesses = [g for g in guesses if g[1]]
                    if guesses:  # where it would have ended, dotted
                        last = [p for p in points if not p[2]][-1:]
                        panel.plot([p[0] for p in last + guesses],
                                   [p[1] for p in last + guesses],
                                   color=colour, linestyle=':',
                                   marker='o', markerfacecolor='none')
            panel.set_xscale('log')
            panel.set_yscale('log')
            panel.set_xlabel(axis)
            panel.set_ylabel('median ms per decision')
            panel.set_title('%s, %s' % (operation, backend))
            panel.grid(True, which='both', alpha=0.3)
            panel.legend(fontsize='x-small')
    figure.suptitle('ours solid, Blazar 18.0.0 dashed; triangle: Blazar '
                    'abandoned at the deadline (at least this); hollow '
                    'circle, dotted: its projection', fontsize='small')
    figure.tight_layout(rect=(0, 0, 1, 0.97))
    path = os.path.join(out_dir, name)
    figure.savefig(path, dpi=90)
    pyplot.close(figure)
    return path


def plot_filter(report, out_dir, name='filter-vs-hosts.png'):
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot

    rows = filter_rows(report)
    if not rows:
        return None
    figure, panel = pyplot.subplots(figsize=(7.5, 4.8))
    scenarios = sorted({r[1] for r in rows})
    for number, scenario in enumerate(scenarios):
        line = sorted(r for r in rows if r[1] == scenario)
        colour = 'C%d' % number
        panel.plot([r[0] for r in line], [r[2] for r in line], color=colour,
                   marker='o', label='ours, %s' % scenario)
        panel.plot([r[0] for r in line], [r[3] for r in line], color=colour,
                   marker='x', linestyle='--',
                   label='blazar-nova, %s' % scenario)
    panel.set_xscale('log')
    panel.set_yscale('log')
    panel.set_xlabel('hosts')
    panel.set_ylabel('median ms per filter_all')
    panel.grid(True, which='both', alpha=0.3)
    panel.legend(fontsize='x-small')
    figure.tight_layout()
    path = os.path.join(out_dir, name)
    figure.savefig(path, dpi=90)
    pyplot.close(figure)
    return path


def write(report, out_dir):
    """``summary.md`` and the PNG plots; returns their paths."""
    paths = [
        plot_allocation(report, out_dir, 'hosts', 'reservations',
                        'allocation-vs-hosts.png'),
        plot_allocation(report, out_dir, 'reservations', 'hosts',
                        'allocation-vs-reservations.png'),
        plot_filter(report, out_dir),
    ]
    summary = os.path.join(out_dir, 'summary.md')
    with open(summary, 'w') as out:
        out.write(markdown(report))
    return [summary] + [p for p in paths if p]
