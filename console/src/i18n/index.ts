// All text of the console and the gate display, in English and Simplified Chinese. The chosen
// language is kept in localStorage; without a choice the browser's language decides.

import { en } from "./en";
import { zhCN } from "./zh-cn";

export type Key = keyof typeof en;
export type Locale = "en" | "zh-CN";

const kStorageKey = "menjin.locale";
const dictionaries: Record<Locale, Record<Key, string>> = { en, "zh-CN": zhCN };

function initialLocale(): Locale {
  const stored = localStorage.getItem(kStorageKey);
  if (stored === "en" || stored === "zh-CN") return stored;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

let current: Locale = initialLocale();
document.documentElement.lang = current;

export function locale(): Locale {
  return current;
}

// Switches the language, remembers it and fires "localechange" on window. `remember` false
// switches for this page only (the gate display takes its language from its link).
export function setLocale(next: Locale, remember = true): void {
  current = next;
  document.documentElement.lang = next;
  if (remember) localStorage.setItem(kStorageKey, next);
  window.dispatchEvent(new Event("localechange"));
}

export function hasKey(key: string): key is Key {
  return key in en;
}

// Returns the text for `key` in the current language with each {name} replaced by
// params[name].
export function t(key: Key, params: Record<string, string | number> = {}): string {
  const text = dictionaries[current][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
