"""The package's shape: imports form no cycle, and a module past about 350
lines holds a single concept (named here with the reason)."""
import ast
import os
import os.path as osp

PACKAGE = 'mmaction_tsfmicro'
ROOT = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), PACKAGE)

#: Modules allowed past 350 lines, each one concept.
LONG_MODULES = {
    'models/backbones/retention.py':
    'the retention blocks of the temporal branch and their decay masks',
    'annotations/sheet_conversion.py':
    'reading one data set\'s sheet rows into samples (the two stages)',
    'models/official_checkpoint.py':
    "the official checkpoints' key mapping and their conversion",
    'loso/experiment.py':
    'the one LOSO orchestrator: a whole run, or one fold of it (--fold)',
}


def modules():
    found = {}
    for folder, _, files in os.walk(ROOT):
        for name in files:
            if name.endswith('.py'):
                path = osp.join(folder, name)
                rel = osp.relpath(path, osp.dirname(ROOT))[:-3]
                parts = rel.split(os.sep)
                if parts[-1] == '__init__':
                    parts = parts[:-1]
                found['.'.join(parts)] = path
    return found


def imports_of(name, path, known):
    """The plugin modules a module imports (anywhere in it)."""
    is_pkg = path.endswith('__init__.py')
    package = name if is_pkg else name.rpartition('.')[0]
    out = set()
    for node in ast.walk(ast.parse(open(path).read())):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')
                base = base[:len(base) - node.level + 1]
                mod = '.'.join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ''
            targets = [f'{mod}.{a.name}' for a in node.names] + [mod]
        for target in targets:
            while target and target not in known:
                target = target.rpartition('.')[0]
            if target and target != name:
                out.add(target)
                break
    return out


def test_the_import_graph_has_no_cycle():
    known = modules()
    graph = {n: imports_of(n, p, known) for n, p in known.items()}
    assert graph['mmaction_tsfmicro'] == {'mmaction_tsfmicro.version'}
    state, stack = {}, []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 'open':
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError('import cycle: ' + ' -> '.join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 'done'

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_long_modules_hold_one_concept():
    long = {}
    for name, path in modules().items():
        with open(path) as f:
            lines = sum(1 for _ in f)
        rel = osp.relpath(path, ROOT)
        if lines > 350:
            long[rel] = lines
    assert set(long) <= set(LONG_MODULES), (
        f'modules over 350 lines: {long}; split them by concept or name '
        'the single concept in LONG_MODULES')


def test_no_module_imports_a_private_name_of_another():
    """``from .x import _name`` couples a module to another's internals."""
    known = modules()
    offenders = []
    for name, path in known.items():
        for node in ast.walk(ast.parse(open(path).read())):
            if isinstance(node, ast.ImportFrom):
                offenders += [
                    f'{name}: from {"." * node.level}{node.module or ""} '
                    f'import {a.name}' for a in node.names
                    if a.name.startswith('_') and not a.name.startswith('__')
                ]
    assert offenders == []


def test_no_tool_imports_another():
    """The tools are thin front ends: their logic lives in the package, and
    none loads another tool (as a module or through sys.path)."""
    tools = osp.join(osp.dirname(ROOT), 'tools')
    offenders = []
    for folder, _, files in os.walk(tools):
        for name in files:
            if not name.endswith('.py'):
                continue
            path = osp.join(folder, name)
            text = open(path).read()
            rel = osp.relpath(path, osp.dirname(ROOT))
            if 'load_script(' in text or 'sys.path.insert' in text and \
                    'official' not in rel:
                offenders.append(rel)
    assert offenders == []


def test_every_relative_import_names_a_module_of_the_package():
    """Imports inside functions run only when called: a moved module must
    not leave one pointing nowhere."""
    known = modules()
    missing = []
    for name, path in known.items():
        package = name if path.endswith('__init__.py') else \
            name.rpartition('.')[0]
        for node in ast.walk(ast.parse(open(path).read())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split('.')
                base = base[:len(base) - node.level + 1]
                target = '.'.join(base + ([node.module] if node.module
                                          else []))
                if target not in known:
                    missing.append(f'{name}:{node.lineno}: {target}')
    assert missing == []
