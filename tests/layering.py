#!/usr/bin/python3
"""Layering of the build's object files (nm and readelf, binutils).

    layering.py BUILD_DIR [--allow FILE]
    layering.py --self-test

Fails when
  - source files call into each other in a cycle: object A uses a symbol
    object B defines and B, directly or through others, uses one A defines.
    Each strongly connected component of more than one object is reported
    with the symbols of each of its edges, unless tests/layering_allow.txt
    lists it; a listed cycle that no longer exists fails too, so the list
    only shrinks;
  - an object of dataplane/ other than the dispatcher (worker/graph.c)
    refers to a node's entry point, node_NAME (dataplane/README.md: only the
    dispatcher moves packets between nodes). An undefined node_* symbol is a
    call to another file's node; a relocation against a node_* symbol
    outside debug information is a call (or its address taken) in any file,
    its own included.

The graph is built once per link unit: the objects of each static library
or executable of the build (its meson private directory, NAME.p), with the
objects of the project's static libraries it pulls in through the symbols
it uses, as the linker would. Edges join the project's own objects only:
symbols of DPDK, libc and the other system libraries are defined by none of
them. An object is named by its source file relative to the source root
(dataplane/libaftrdp.a.p/tunnel_decap.c.o is dataplane/tunnel/decap.c);
one generated in the build directory by its path there, as <build>/PATH.
"""

import os
import subprocess
import sys

NODE_PREFIX = 'node_'
NODE_DIR = 'dataplane/'
DISPATCHER = 'dataplane/worker/graph.c'
ALLOW_DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'layering_allow.txt')
SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Obj:
    """One object file: its name (a source path), its path in the build, the
    global symbols it defines and those it uses."""

    def __init__(self, name, path, defs, uses):
        self.name = name
        self.path = path
        self.defs = defs
        self.uses = uses


# Object names -------------------------------------------------------------

def is_build_dir(path):
    return os.path.isdir(os.path.join(path, 'meson-private'))


def source_files(root):
    """Every file under root, relative to it, build directories and hidden
    ones left out."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith('.') and not is_build_dir(os.path.join(dirpath, d)))
        rel = os.path.relpath(dirpath, root)
        for f in filenames:
            out.append(f if rel == '.' else rel + '/' + f)
    return out


class Namer:
    """Object file -> source file. Meson names a target's object after its
    source's path relative to the target's folder, '/' replaced by '_', plus
    '.o'; a generated source's object gets 'meson-generated_' in front."""

    def __init__(self, src_root):
        self.sources = source_files(src_root)
        self.by_dir = {}

    def name(self, target_dir, pdir, objfile):
        base = objfile[:-2] if objfile.endswith('.o') else objfile
        if base.startswith('meson-generated_'):
            rest = base[len('meson-generated_'):]
            where = target_dir + '/' + pdir
            while rest.startswith('.._'):
                rest = rest[3:]
                where = os.path.dirname(where)
            return '<build>/' + (where + '/' if where else '') + rest
        table = self.by_dir.get(target_dir)
        if table is None:
            table = {}
            for s in self.sources:
                flat = os.path.relpath(s, target_dir or '.').replace('/', '_')
                table.setdefault(flat, []).append(s)
            self.by_dir[target_dir] = table
        found = table.get(base, [])
        if len(found) == 1:
            return found[0]
        why = 'no source file' if not found else 'several source files (' + ', '.join(found) + ')'
        print('layering: warning: %s/%s/%s: %s; named by its object' % (target_dir, pdir, objfile, why))
        return '<build>/' + target_dir + '/' + pdir + '/' + objfile


# Reading the build --------------------------------------------------------

def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if r.returncode != 0:
        sys.exit('layering: %s failed: %s' % (' '.join(cmd[:3]), r.stderr.strip()))
    return r.stdout


def read_symbols(paths):
    """{path: (defined, undefined)} of the global symbols of each object (nm -P)."""
    out = {p: (set(), set()) for p in paths}
    for line in run(['nm', '-P', '-g', '-A'] + paths).splitlines():
        head, sep, rest = line.partition(': ')
        fields = rest.split()
        if not sep or head not in out or len(fields) < 2:
            continue
        name, kind = fields[0], fields[1]
        undefined = kind == 'U' or (kind in 'wv' and len(fields) < 3)
        out[head][1 if undefined else 0].add(name)
    return out


def node_relocations(path):
    """node_* symbols a relocation of the object refers to, debug
    information and unwind tables left out."""
    found = set()
    section = ''
    for line in run(['readelf', '-rW', path]).splitlines():
        if line.startswith('Relocation section '):
            section = line.split("'")[1]
            continue
        if section.startswith(('.rela.debug', '.rel.debug', '.rela.eh_frame', '.rel.eh_frame')):
            continue
        for f in line.split():
            if f.startswith(NODE_PREFIX):
                found.add(f)
    return found


def read_build(build, src_root):
    """The link units of the build: [(unit name, is a static library,
    [Obj])], from every NAME.p folder."""
    namer = Namer(src_root)
    units = []
    for dirpath, dirnames, filenames in os.walk(build):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith('meson-') and not d.startswith('.'))
        for d in list(dirnames):
            if not d.endswith('.p'):
                continue
            dirnames.remove(d)
            pdir = os.path.join(dirpath, d)
            files = sorted(f for f in os.listdir(pdir) if f.endswith('.o'))
            if not files:
                continue
            target_dir = os.path.relpath(dirpath, build)
            target_dir = '' if target_dir == '.' else target_dir
            paths = [os.path.join(pdir, f) for f in files]
            syms = read_symbols(paths)
            objs = []
            for f, p in zip(files, paths):
                objs.append(Obj(namer.name(target_dir, d, f), p, syms[p][0], syms[p][1]))
            unit = (target_dir + '/' if target_dir else '') + d[:-2]
            units.append((unit, d.endswith('.a.p'), objs))
    units.sort(key=lambda u: u[0])
    return units


# The graph ----------------------------------------------------------------

def link_unit(own, pool):
    """Objects of a unit: its own and those of the pool (the static
    libraries' objects) they pull in. Returns (objects, edges), edges as
    {(user, definer): set of symbols}, user and definer indices into
    objects. A symbol is found in the unit's own objects first."""
    own_defs = {}
    for o in own:
        for s in o.defs:
            own_defs.setdefault(s, []).append(o)
    pool_defs = {}
    for o in pool:
        for s in o.defs:
            pool_defs.setdefault(s, []).append(o)
    objs = list(own)
    index = {id(o): i for i, o in enumerate(objs)}
    edges = {}
    i = 0
    while i < len(objs):
        o = objs[i]
        for s in sorted(o.uses):
            for d in own_defs.get(s) or pool_defs.get(s) or []:
                if id(d) not in index:
                    index[id(d)] = len(objs)
                    objs.append(d)
                j = index[id(d)]
                if j != i:
                    edges.setdefault((i, j), set()).add(s)
        i += 1
    return objs, edges


def components(n, edges):
    """Strongly connected components of more than one vertex (Tarjan,
    iterative), each a sorted list of vertices."""
    succ = [[] for _ in range(n)]
    for a, b in sorted(edges):
        succ[a].append(b)
    order = [None] * n
    low = [0] * n
    on_stack = [False] * n
    stack = []
    out = []
    counter = 0
    for root in range(n):
        if order[root] is not None:
            continue
        work = [(root, 0)]
        while work:
            v, k = work.pop()
            if k == 0:
                order[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            if k < len(succ[v]):
                work.append((v, k + 1))
                w = succ[v][k]
                if order[w] is None:
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], order[w])
                continue
            if low[v] == order[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return out


def analyse(units, node_refs):
    """units: [(name, is a static library, [Obj])]; node_refs(obj) -> the
    node_* symbols its relocations name. Returns (cycles, calls): cycles
    {sorted object names: (edges {(a, b): symbols}, [unit names])}, calls a
    sorted list of (object, symbol, what)."""
    pool = [o for _, is_lib, objs in units if is_lib for o in objs]
    cycles = {}
    calls = set()
    seen = set()
    for unit, _, own in units:
        own_ids = {id(o) for o in own}
        objs, edges = link_unit(own, [o for o in pool if id(o) not in own_ids])
        for comp in components(len(objs), edges):
            key = tuple(sorted(objs[i].name for i in comp))
            if key not in cycles:
                members = set(comp)
                named = {}
                for (a, b), syms in edges.items():
                    if a in members and b in members:
                        named.setdefault((objs[a].name, objs[b].name), set()).update(syms)
                cycles[key] = (named, [])
            cycles[key][1].append(unit)
        for (a, b), syms in edges.items():
            user = objs[a]
            if not user.name.startswith(NODE_DIR) or user.name == DISPATCHER:
                continue
            for s in syms:
                if s.startswith(NODE_PREFIX):
                    calls.add((user.name, s, 'node of ' + objs[b].name))
        for o in objs:
            if id(o) in seen or not o.name.startswith(NODE_DIR) or o.name == DISPATCHER:
                continue
            seen.add(id(o))
            for s in node_refs(o):
                if s in o.defs:
                    calls.add((o.name, s, 'its own node, called or its address taken'))
    # A cycle inside a larger one (a library's, inside an executable's that
    # also takes in its main) is reported as the larger one only.
    keys = list(cycles)
    for k in keys:
        if any(k != other and set(k) < set(other) for other in keys):
            del cycles[k]
    return cycles, sorted(calls)


# The allow list -----------------------------------------------------------

def read_allow(path):
    """{sorted object names: line number} of the allow list; each entry
    needs a comment ('# why') on its line."""
    allowed = {}
    errors = []
    if not os.path.exists(path):
        return allowed, errors
    with open(path) as f:
        for n, line in enumerate(f, 1):
            text, sep, comment = line.partition('#')
            names = text.split()
            if not names:
                continue
            if not sep or not comment.strip():
                errors.append('%s:%d: an allowed cycle needs a comment: # why' % (path, n))
            if len(names) < 2:
                errors.append('%s:%d: a cycle has two objects or more' % (path, n))
            allowed[tuple(sorted(names))] = n
    return allowed, errors


def report(cycles, calls, allowed, allow_path):
    """Prints the findings; returns the number of failures."""
    failures = 0
    for key in sorted(cycles):
        edges, units = cycles[key]
        listed = key in allowed
        if not listed:
            failures += 1
        print('%s cycle of %d objects (%s):' % ('allowed' if listed else 'FAIL:', len(key), ', '.join(units)))
        for (a, b) in sorted(edges):
            print('    %s -> %s: %s' % (a, b, ', '.join(sorted(edges[(a, b)]))))
        if not listed:
            print('  not in %s; its line there would be:\n    %s  # why'
                  % (os.path.basename(allow_path), ' '.join(key)))
    for key, n in sorted(allowed.items(), key=lambda kv: kv[1]):
        if key not in cycles:
            failures += 1
            print('FAIL: %s:%d lists a cycle the build no longer has (remove the line): %s'
                  % (os.path.basename(allow_path), n, ' '.join(key)))
    for name, sym, what in calls:
        failures += 1
        print('FAIL: %s refers to %s (%s): only %s moves packets between nodes,'
              ' a node returns the next one' % (name, sym, what, DISPATCHER))
    return failures


# Self-test ----------------------------------------------------------------

def self_test():
    """A small synthetic build: a library with the cycle a -> b -> c -> a and
    d outside it, an executable whose main and a library object use each
    other, and a node called from outside the dispatcher."""
    def obj(name, defs, uses):
        return Obj(name, name, set(defs), set(uses))
    lib = [
        obj('lib/a.c', ['fa'], ['fb', 'printf']),
        obj('lib/b.c', ['fb'], ['fc']),
        obj('lib/c.c', ['fc'], ['fa', 'fd']),
        obj('lib/d.c', ['fd'], []),
        obj('lib/e.c', ['fe'], ['quit']),
    ]
    dp = [
        obj('dataplane/worker/graph.c', ['dispatch'], ['node_x', 'node_y']),
        obj('dataplane/x/x.c', ['node_x'], ['node_y']),
        obj('dataplane/y/y.c', ['node_y', 'node_z'], []),
    ]
    exe = [obj('app/main.c', ['main', 'quit'], ['fe'])]
    units = [('lib/liba.a', True, lib), ('dataplane/libdp.a', True, dp), ('app/app', False, exe)]
    refs = {'dataplane/y/y.c': {'node_z'}}
    cycles, calls = analyse(units, lambda o: refs.get(o.name, set()))
    ok = True

    def check(what, got, want):
        nonlocal ok
        if got != want:
            ok = False
            print('self-test: %s: got %r, want %r' % (what, got, want))
    check('cycles', sorted(cycles), [('app/main.c', 'lib/e.c'), ('lib/a.c', 'lib/b.c', 'lib/c.c')])
    check('edges', cycles[('lib/a.c', 'lib/b.c', 'lib/c.c')][0],
          {('lib/a.c', 'lib/b.c'): {'fb'}, ('lib/b.c', 'lib/c.c'): {'fc'}, ('lib/c.c', 'lib/a.c'): {'fa'}})
    check('units', cycles[('app/main.c', 'lib/e.c')][1], ['app/app'])
    check('node calls', [(n, s) for n, s, _ in calls],
          [('dataplane/x/x.c', 'node_y'), ('dataplane/y/y.c', 'node_z')])
    allowed = {('lib/a.c', 'lib/b.c', 'lib/c.c'): 1, ('lib/b.c', 'lib/d.c'): 2}
    # Failures: the unlisted main/e cycle, the stale b/d line, two node calls.
    check('failures', report(cycles, calls, allowed, 'allow.txt'), 4)
    check('failures with nothing wrong', report(cycles, [], {k: 1 for k in cycles}, 'allow.txt'), 0)
    print('self-test: ' + ('ok' if ok else 'FAILED'))
    return 0 if ok else 1


def main(argv):
    if argv == ['--self-test']:
        return self_test()
    allow_path = ALLOW_DEFAULT
    if len(argv) == 3 and argv[1] == '--allow':
        allow_path = argv[2]
    elif len(argv) != 1:
        print(__doc__.split('\n\n')[1])
        return 2
    build = argv[0]
    if not is_build_dir(build):
        print('layering: %s is not a meson build directory' % build)
        return 2
    units = read_build(build, SOURCE_ROOT)
    if not units:
        print('layering: no object files in %s: build it first' % build)
        return 1
    allowed, errors = read_allow(allow_path)
    for e in errors:
        print('FAIL: ' + e)
    cycles, calls = analyse(units, lambda o: node_relocations(o.path))
    failures = len(errors) + report(cycles, calls, allowed, allow_path)
    nobj = sum(len(objs) for _, _, objs in units)
    print('layering: %d link units, %d objects: %d cycles (%d allowed), %d node references outside %s; %s'
          % (len(units), nobj, len(cycles), sum(1 for k in cycles if k in allowed), len(calls),
             DISPATCHER, 'FAIL' if failures else 'ok'))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
