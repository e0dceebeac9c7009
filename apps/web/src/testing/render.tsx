import "../../app/globals.css";
import { act, type ReactNode } from "react";
import { createRoot } from "react-dom/client";

// React's act() warns unless it knows it runs under a test.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** What {@link render} gives a component test. */
export interface Rendered {
  /** The element the component was rendered into (inside a box `width` pixels wide). */
  readonly container: HTMLElement;
  /** Re-renders with new props. */
  rerender(ui: ReactNode): Promise<void>;
  unmount(): Promise<void>;
}

/**
 * Renders `ui` into the test page with the dashboard's stylesheet, in a box of the given width,
 * for component tests in the browser run (`*.browser.test.tsx`).
 */
export async function render(ui: ReactNode, options: { width?: number } = {}): Promise<Rendered> {
  const container = document.createElement("div");
  container.style.width = `${options.width ?? 800}px`;
  document.body.append(container);
  const root = createRoot(container);
  await act(async () => root.render(ui));
  return {
    container,
    rerender: (next) => act(async () => root.render(next)),
    async unmount() {
      await act(async () => root.unmount());
      container.remove();
    },
  };
}

/** Waits until `check` passes (charts lay out after a resize observation), or fails with its last error. */
export async function until(check: () => void, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
      await act(async () => new Promise((r) => setTimeout(r, 30)));
    }
  }
}

/** The test id's element, or a failure naming it. */
export function byTestId(root: ParentNode, id: string): HTMLElement {
  const el = root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  if (el === null) throw new Error(`no element with data-testid="${id}"`);
  return el;
}
