"""Edit INI files the way DevStack's INI shell functions behave, for the
stand-ins in functions.sh (our own implementation, line based, so that
repeated options such as nova's ``available_filters`` are kept).

Usage: ini_tool.py get|get_multiline|has|set|set_multiline FILE SECTION
OPTION [VALUE...]
"""

import pathlib
import re
import sys

SECTION = re.compile(r'^\s*\[([^\]]+)\]\s*$')
OPTION = re.compile(r'^\s*([^#;=\s][^=]*?)\s*=\s?(.*)$')


def _lines(path):
    if not path.exists():
        return []
    return path.read_text().splitlines()


def _locate(lines, section, option):
    """(index of the section header or None, indexes of the option's
    lines, index after the section's last line)."""
    header, found, end, current = None, [], len(lines), None
    for index, line in enumerate(lines):
        match = SECTION.match(line)
        if match:
            if current == section:
                end = index
                break
            current = match.group(1)
            if current == section:
                header = index
            continue
        if current == section:
            match = OPTION.match(line)
            if match and match.group(1) == option:
                found.append(index)
    if header is None:
        end = len(lines)
    return header, found, end


def values(path, section, option):
    lines = _lines(path)
    _, found, _ = _locate(lines, section, option)
    return [OPTION.match(lines[i]).group(2) for i in found]


def set_values(path, section, option, new_values):
    lines = _lines(path)
    header, found, end = _locate(lines, section, option)
    new_lines = ['%s = %s' % (option, value) for value in new_values]
    if header is None:
        if lines and lines[-1].strip():
            lines.append('')
        lines += ['[%s]' % section] + new_lines
    elif found:
        first = found[0]
        for index in reversed(found):
            del lines[index]
        lines[first:first] = new_lines
    else:
        # After the section's last non-blank line.
        insert = end
        while insert - 1 > header and not lines[insert - 1].strip():
            insert -= 1
        lines[insert:insert] = new_lines
    path.write_text('\n'.join(lines) + '\n')


def main(argv):
    action, path, section, option, *rest = argv
    path = pathlib.Path(path)
    if action == 'get':
        found = values(path, section, option)
        print(found[0] if found else '')
    elif action == 'get_multiline':
        # One line, values separated by spaces, as DevStack prints them.
        print(' '.join(values(path, section, option)))
    elif action == 'has':
        return 0 if values(path, section, option) else 1
    elif action == 'set':
        set_values(path, section, option, [' '.join(rest)])
    elif action == 'set_multiline':
        set_values(path, section, option, rest)
    else:
        print('unknown action %s' % action, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
