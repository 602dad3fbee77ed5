// Form fields and error display. Every control is named after the API field it fills (nested
// fields with a dot, e.g. "person.id"), so an API error that names a field is shown next to
// that control; any other error goes to the form's banner.

import { ApiError } from "./api";
import { h, type Child, type Props } from "./dom";
import { t, hasKey, type Key } from "./i18n";

let nextControlId = 1;

// Wraps `control` with its label, an optional hint and the slot for its error message.
export function field(label: string, control: HTMLElement, hint?: string): HTMLDivElement {
  if (!control.id) control.id = `control-${nextControlId++}`;
  return h(
    "div",
    { class: "field" },
    h("label", { for: control.id }, label),
    control,
    hint ? h("p", { class: "hint" }, hint) : null,
    h("p", { class: "field-error", role: "alert", hidden: true }),
  );
}

export function input(name: string, props: Props = {}): HTMLInputElement {
  return h("input", { name, type: "text", ...props });
}

export function select(
  name: string,
  options: [string, string][],
  props: Props = {},
): HTMLSelectElement {
  const value = props.value as string | undefined;
  return h(
    "select",
    { name, ...props, value: undefined },
    options.map(([option, label]) =>
      h("option", { value: option, selected: option === value }, label),
    ),
  );
}

export function submitButton(label: string, props: Props = {}): HTMLButtonElement {
  return h("button", { type: "submit", class: "primary", ...props }, label);
}

// An error banner, hidden until an error is shown in it.
export function banner(): HTMLDivElement {
  return h("div", { class: "banner error", role: "alert", hidden: true });
}

// Returns the text to show for an error: for API errors the code in the page's language and
// the server's message, which names the value and what to do.
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "network") return error.message;
    const key = `code.${error.code}`;
    const label = hasKey(key) ? t(key as Key) : t("code.other", { status: error.status });
    return `${label}: ${error.message}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

export function showBanner(
  target: HTMLElement,
  message: Child,
  kind: "error" | "ok" = "error",
): void {
  target.className = `banner ${kind}`;
  target.replaceChildren();
  target.append(
    ...(Array.isArray(message) ? message : [message]).map((m) =>
      m instanceof Node ? m : String(m ?? ""),
    ),
  );
  target.hidden = false;
}

export function clearErrors(form: HTMLFormElement, target: HTMLElement | null): void {
  for (const slot of form.querySelectorAll<HTMLElement>(".field-error")) {
    slot.hidden = true;
    slot.textContent = "";
  }
  for (const control of form.querySelectorAll("[aria-invalid]"))
    control.removeAttribute("aria-invalid");
  if (target) target.hidden = true;
}

// Shows `error` next to the control the API named, or in `target` when no control of the form
// has that name.
export function showError(error: unknown, form: HTMLFormElement | null, target: HTMLElement): void {
  const name = error instanceof ApiError ? error.field : null;
  const control =
    name && form ? form.querySelector<HTMLElement>(`[name="${CSS.escape(name)}"]`) : null;
  const slot = control?.closest(".field")?.querySelector<HTMLElement>(".field-error");
  if (control && slot) {
    slot.textContent = describeError(error);
    slot.hidden = false;
    control.setAttribute("aria-invalid", "true");
    control.focus();
    return;
  }
  showBanner(target, describeError(error));
}

// Returns the form's values by control name. Checkbox groups with one name become arrays.
export function readForm(form: HTMLFormElement): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const control of form.querySelectorAll<
    HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement
  >("input[name], select[name], textarea[name]")) {
    if (control instanceof HTMLInputElement && control.type === "checkbox") {
      const list = (values[control.name] as string[] | undefined) ?? [];
      if (control.checked) list.push(control.value);
      values[control.name] = list;
    } else if (!(control instanceof HTMLInputElement && control.type === "file")) {
      values[control.name] = control.value.trim();
    }
  }
  return values;
}

// Runs `action` on submit with the submit buttons disabled, and shows any error it raises.
export function onSubmit(
  form: HTMLFormElement,
  target: HTMLElement,
  action: (values: Record<string, string | string[]>) => Promise<void>,
): void {
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, target);
    const buttons = [...form.querySelectorAll<HTMLButtonElement>("button[type=submit]")];
    buttons.forEach((button) => (button.disabled = true));
    try {
      await action(readForm(form));
    } catch (error) {
      showError(error, form, target);
    } finally {
      buttons.forEach((button) => (button.disabled = false));
    }
  });
}

// Returns the value as a number, or undefined for an empty string, so that optional fields
// are left out of a request body.
export function optionalNumber(text: string | string[] | undefined): number | undefined {
  if (typeof text !== "string" || text === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

export function optionalText(text: string | string[] | undefined): string | undefined {
  return typeof text === "string" && text !== "" ? text : undefined;
}
