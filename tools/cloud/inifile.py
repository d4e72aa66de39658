"""Writing INI files from dictionaries, as oslo.config reads them.

A section is a dict of option -> value; a list value becomes one line per
item (oslo.config's MultiStrOpt), booleans are written ``true``/``false``.
"""


def _text(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def render(sections):
    lines = []
    for section, options in sections.items():
        if lines:
            lines.append('')
        lines.append('[%s]' % section)
        for option, value in options.items():
            values = value if isinstance(value, list) else [value]
            for item in values:
                lines.append(('%s = %s' % (option, _text(item))).rstrip())
    return '\n'.join(lines) + '\n'


def write(path, sections):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(sections))
    return path
