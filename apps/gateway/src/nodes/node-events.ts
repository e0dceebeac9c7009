/** What happened to a worker, for the job engine (docs/compute.md "Heartbeats"). */
export interface NodeChange {
  readonly nodeId: string;
  /** It registered (first time or again), left with Leave, or was marked lost by the liveness sweeper. */
  readonly change: "registered" | "left" | "lost";
}

/** A listener of {@link NodeEvents}. */
export type NodeChangeListener = (e: NodeChange) => void;

/**
 * Workers coming and going, as NodeService.Register, Leave and the liveness sweeper
 * (nodes/node-liveness.ts) see them; the job engine listens, to assign shards and take them back.
 * One instance per gateway (GatewayDeps.nodeEvents). Events are told after the change is stored.
 */
export interface NodeEvents {
  /** Adds a listener; returns a function that removes it. */
  on(event: "changed", listener: NodeChangeListener): () => void;
  /** Removes a listener added with `on`. */
  off(event: "changed", listener: NodeChangeListener): void;
  /**
   * Tells every listener, in the order they were added. A listener that throws does not stop
   * the others, nor the caller: its error goes to `onListenerError`.
   */
  emit(event: "changed", e: NodeChange): void;
}

/** A NodeEvents emitter; `onListenerError` hears what a listener threw (the gateway logs it). */
export function createNodeEvents(onListenerError: (err: unknown, e: NodeChange) => void = () => {}): NodeEvents {
  const listeners = new Set<NodeChangeListener>();
  const events: NodeEvents = {
    on(_event, listener) {
      listeners.add(listener);
      return () => events.off("changed", listener);
    },
    off(_event, listener) {
      listeners.delete(listener);
    },
    emit(_event, e) {
      for (const listener of [...listeners]) {
        try {
          listener(e);
        } catch (err) {
          onListenerError(err, e);
        }
      }
    },
  };
  return events;
}
