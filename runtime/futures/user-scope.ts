/**
 * Where shipping looks up the names a function uses: the user's global scope (globalThis in plain Node, the realm
 * the kernel's cells run in) and the module scopes registered with registerShippingScope.
 */
import { runtimeNames } from './references';

/** `rebound`: the user's own binding of a name that is also a platform global (a notebook's `const fetch = ...`). */
export type Resolution = { found: true; value: unknown; rebound?: boolean } | { found: false };
export type GlobalResolver = (name: string) => Resolution;

/** Plain Node: globalThis. The kernel's cell engine installs a resolver over the realm its cells run in. */
const defaultResolver: GlobalResolver = (name) =>
  name in globalThis ? { found: true, value: (globalThis as Record<string, unknown>)[name] } : { found: false };
let globalResolver: GlobalResolver = defaultResolver;
/** Bumped whenever a resolver or scope is installed: bundles built before are rebuilt. */
let generation = 0;
export const scopeGeneration = (): number => generation;

/** The kernel installs a resolver over the notebook's top-level declarations; default: globalThis. */
export function setGlobalResolver(resolve: GlobalResolver | null): void {
  globalResolver = resolve ?? defaultResolver;
  generation++;
}

/**
 * Module-level names are invisible to reflection, so a module whose functions are submitted registers the
 * scope that holds its top-level names (usually its own `module.exports`). For a function of that module, its
 * scope comes first (a module's own `factor` beats a global `factor`, as in the module itself); for any other
 * function, the scopes are consulted after the global resolver.
 */
const scopes: object[] = [];
export function registerShippingScope(scope: object): void {
  if (!scopes.includes(scope)) scopes.push(scope);
  generation++;
}

/** The registered scope that holds `fn`: its module, whose names it sees before any global. */
export function homeOf(fn: Function): object | undefined {
  return scopes.find((scope) => Object.values(scope).includes(fn));
}

export function resolve(name: string, home?: object): Resolution {
  if (home && name in home) return { found: true, value: (home as Record<string, unknown>)[name] };
  const r = globalResolver(name);
  if (r.found) return r;
  for (const scope of scopes) if (name in scope) return { found: true, value: (scope as Record<string, unknown>)[name] };
  return { found: false };
}

/** A name as shipped code would see it: the resolvers, then the runtime's preloaded exports. */
export function lookupName(name: string): Resolution {
  const r = resolve(name);
  if (r.found) return r;
  const runtime = runtimeNames();
  return name in runtime ? { found: true, value: runtime[name] } : { found: false };
}

/** The user's global object as the resolver sees it: the realm whose intrinsics references name in this process. */
export const userRealm: object = new Proxy(globalThis, {
  get: (target, name) => {
    const r = typeof name === 'string' ? globalResolver(name) : { found: false as const };
    return r.found ? r.value : Reflect.get(target, name);
  },
});
