// A small element builder. Text always goes in as text nodes, never as HTML, so names and
// messages from the API cannot inject markup.

export type Child = Node | string | number | null | undefined | false | Child[];

export type Props = {
  class?: string;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;
  data?: Record<string, string>;
  [attribute: string]: unknown;
};

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const item of child) append(parent, item);
    return;
  }
  parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

// Properties that must be set on the element object rather than as attributes.
const kProperties = new Set([
  "value",
  "checked",
  "disabled",
  "selected",
  "hidden",
  "required",
  "multiple",
]);

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") {
      element.className = String(value);
    } else if (name === "on") {
      for (const [type, listener] of Object.entries(value as Record<string, EventListener>)) {
        element.addEventListener(type, listener);
      }
    } else if (name === "data") {
      for (const [key, text] of Object.entries(value as Record<string, string>)) {
        element.dataset[key] = text;
      }
    } else if (kProperties.has(name)) {
      (element as unknown as Record<string, unknown>)[name] = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

// Replaces the children of `parent` with `children`.
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

// Offers `blob` to the user as a download named `name`.
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
