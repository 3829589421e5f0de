// Test helpers: render a React element into jsdom with act(), let pending promises settle, press keys.
import { act, type ReactElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';

import type { RunProgress } from './bindings/RunProgress';
import { publishProgress } from './progressHub';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export interface Rendered {
  container: HTMLElement;
  root: Root;
  unmount: () => void;
}

export async function render(element: ReactElement): Promise<Rendered> {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const root = createRoot(container);
  await act(async () => {
    root.render(element);
  });
  await settle();
  return {
    container,
    root,
    unmount: () => {
      act(() => root.unmount());
      container.remove();
    },
  };
}

/** Lets resolved promises and the renders they cause run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await act(async () => {
      await Promise.resolve();
    });
  }
}

/** Dispatches a keydown from `target` (default: the body), as a user's key press would. */
export async function press(key: string, target: Element = document.body): Promise<void> {
  await act(async () => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  });
  await settle();
}

export async function click(el: Element | null): Promise<void> {
  if (!el) throw new Error('nothing to click');
  await act(async () => {
    (el as HTMLElement).click();
  });
  await settle();
}

/** Delivers a progress event as the backend's channel would. */
export async function emit(progress: RunProgress): Promise<void> {
  await act(async () => {
    publishProgress(progress);
  });
  await settle();
}

/** Sets an input's, select's or textarea's value as a user would, so React sees the change. */
export async function change(el: Element | null, value: string): Promise<void> {
  if (!el) throw new Error('nothing to change');
  await act(async () => {
    // React tracks the value it last set; the native setter makes the change visible to it.
    const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
    el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
  await settle();
}
