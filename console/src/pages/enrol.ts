// Enrolment from an uploaded photo: the photo with the detected face box drawn on it, the
// quality measures, and on rejection the reasons in plain words. The photo goes only to the
// API, which discards it after computing the template.

import { ApiError, apiPath, getJson, uploadFile } from "../api";
import { h, replace } from "../dom";
import { banner, clearErrors, field, showError, submitButton } from "../forms";
import { hasKey, t, type Key } from "../i18n";
import { link } from "../router";
import type { PageContext } from "../router";
import type { Enrolment, PersonDetail } from "../types";
import { card, keyValues, pageTitle } from "./ui";

const kPreviewMaxWidth = 480;

// Returns the plain-words text for a rejection reason code, or the server's message for a
// code this console does not know.
function reasonText(code: string, serverMessage: string | undefined, result: Enrolment): string {
  if (code === "already_enrolled" && result.duplicate_person_id) {
    return t("reason.already_enrolled_as", { id: result.duplicate_person_id });
  }
  const key = `reason.${code}`;
  if (hasKey(key)) return t(key as Key);
  return serverMessage ?? code;
}

// Draws the photo scaled to the preview width and, when the result has a face, its box:
// green when the face passed the quality check, red when it did not.
async function drawPhoto(
  canvas: HTMLCanvasElement,
  file: File,
  result: Enrolment | null,
): Promise<void> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, kPreviewMaxWidth / bitmap.width);
  const ratio = window.devicePixelRatio || 1;
  const width = Math.round(bitmap.width * scale);
  const height = Math.round(bitmap.height * scale);
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;

  const context = canvas.getContext("2d");
  if (!context) return;
  context.scale(ratio, ratio);
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  delete canvas.dataset.box;
  if (!result?.face) return;

  const box = result.face.box;
  context.lineWidth = 3;
  context.strokeStyle = result.face.quality.passed ? "#1a7f37" : "#cf222e";
  context.strokeRect(box.x * scale, box.y * scale, box.width * scale, box.height * scale);
  canvas.dataset.box = [box.x, box.y, box.width, box.height].join(",");
  const rounded = {
    x: Math.round(box.x),
    y: Math.round(box.y),
    w: Math.round(box.width),
    h: Math.round(box.height),
  };
  canvas.setAttribute("aria-label", t("enrol.box_label", rounded));
}

function measures(result: Enrolment): HTMLElement | null {
  if (!result.face) return null;
  const q = result.face.quality;
  const number = (value: number | undefined, unit = "") =>
    value === undefined ? "" : `${value}${unit}`;
  return keyValues(
    [
      [t("enrol.faces_found"), String(result.faces_found)],
      [t("enrol.detection_score"), String(result.face.score)],
      [t("enrol.quality"), q.passed ? t("enrol.quality_passed") : t("enrol.quality_failed")],
      [t("enrol.inter_eye"), number(q.inter_eye_px, " px")],
      [t("enrol.sharpness"), number(q.sharpness)],
      [t("enrol.yaw"), number(q.yaw_deg, "°")],
      [t("enrol.pitch"), number(q.pitch_deg, "°")],
      [t("enrol.roll"), number(q.roll_deg, "°")],
      [t("enrol.brightness"), number(q.brightness)],
    ],
    "quality",
  );
}

function resultPanel(person: PersonDetail, result: Enrolment): HTMLElement {
  const heading = result.accepted
    ? t("enrol.accepted", { name: person.name })
    : t("enrol.rejected");
  const reasons = result.reasons.map((code, i) =>
    h("li", { "data-reason": code }, reasonText(code, result.messages[i], result)),
  );
  return h(
    "div",
    {
      class: `enrol-result ${result.accepted ? "ok" : "rejected"}`,
      "data-testid": "enrol-result",
      "data-accepted": String(result.accepted),
    },
    h("h3", { role: "status" }, heading),
    reasons.length > 0 ? h("ul", { class: "reasons", "data-testid": "reasons" }, reasons) : null,
    measures(result),
    result.accepted
      ? h("p", null, h("a", { href: link`/people/${person.id}` }, t("enrol.back_to_person")))
      : h("p", { class: "hint" }, t("enrol.try_again")),
  );
}

export async function enrolPage({ params }: PageContext): Promise<Node> {
  const person = await getJson<PersonDetail>(apiPath`/api/v1/people/${params.id}`);
  const errors = banner();
  const canvas = h("canvas", {
    class: "photo-preview",
    "data-testid": "enrol-canvas",
    role: "img",
    "aria-label": t("enrol.preview"),
  });
  const resultSlot = h("div", { "aria-live": "polite" });
  const fileInput = h("input", {
    type: "file",
    name: "photo",
    accept: "image/jpeg,image/png,image/webp,image/bmp,image/tiff",
    "data-testid": "photo-input",
  });
  const form = h(
    "form",
    { class: "enrol-form", "data-testid": "enrol-form" },
    field(t("enrol.photo"), fileInput, t("enrol.photo_hint")),
    submitButton(t("enrol.submit")),
    errors,
  );
  fileInput.addEventListener("change", () => {
    replace(resultSlot);
    const file = fileInput.files?.[0];
    if (file) drawPhoto(canvas, file, null).catch(() => undefined);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, errors);
    const file = fileInput.files?.[0];
    if (!file) {
      showError(
        new ApiError(400, "invalid_argument", t("enrol.choose_photo"), "photo"),
        form,
        errors,
      );
      return;
    }
    const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
    button.disabled = true;
    replace(resultSlot, h("p", { class: "loading" }, t("enrol.working")));
    try {
      const result = await uploadFile<Enrolment>(
        apiPath`/api/v1/people/${person.id}/enrolment`,
        "photo",
        file,
        file.name,
      );
      await drawPhoto(canvas, file, result).catch(() => undefined);
      replace(resultSlot, resultPanel(person, result));
    } catch (error) {
      replace(resultSlot);
      showError(error, form, errors);
    } finally {
      button.disabled = false;
    }
  });
  return h(
    "div",
    null,
    pageTitle(t("enrol.title"), h("span", { class: "muted" }, `${person.name} · ${person.id}`)),
    card(null, h("p", { class: "hint" }, t("enrol.intro")), form),
    h(
      "div",
      { class: "enrol-layout" },
      card(t("enrol.photo"), canvas),
      card(t("enrol.result"), resultSlot),
    ),
  );
}
