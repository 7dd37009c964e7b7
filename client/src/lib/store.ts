import { useEffect, useState } from 'preact/hooks';

/**
 * The state container the widget's and the console's sessions share: one immutable state object,
 * replaced (never mutated) by `set`, and listeners told after each change. The UI reads it
 * through `useStore`.
 */
export abstract class Store<S extends object> {
  abstract state: S;
  private readonly listeners = new Set<() => void>();

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  protected set(patch: Partial<S>): void {
    this.state = { ...this.state, ...patch };
    this.stored(this.state);
    for (const fn of this.listeners) fn();
  }

  /** Called with each new state before the listeners are told (a session persists it here). */
  protected stored(state: S): void {
    void state;
  }
}

/** The store's current state, re-rendering the component on every change. */
export function useStore<S extends object>(store: Store<S>): S {
  const [state, setState] = useState(store.state);
  useEffect(() => {
    const off = store.subscribe(() => setState(store.state));
    // a change between the first render and this effect (a fast first answer) would be lost otherwise
    setState(store.state);
    return off;
  }, [store]);
  return state;
}
