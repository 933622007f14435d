import {
  ApiError,
  HeraClient,
  type CompletedSession,
  type ImageKind,
  type ImageView,
  type Locale,
  type PhotoView,
  type Profile,
  type ProfileField,
  type SessionView,
} from "./api.ts";
import { PERSONALITY_TRAITS as TRAITS, PROFILE_FIELDS } from "../../lib/schemas/profile-fields.ts";
import {
  errorMessage,
  fieldLabel,
  label,
  localeTag,
  missingFieldsList,
  needsList,
  photoRejection,
  t,
  traitLabel,
  type MessageKey,
} from "./i18n.ts";

// The browser demo of Hera: one page that walks the whole flow against the public HTTP API.

declare global {
  interface Window {
    /** Written by the `config.js` that dev/web-server.ts generates. */
    HERA_CONFIG?: { apiBaseUrl?: string };
  }
}

const KINDS: readonly ImageKind[] = ["partner", "child"];
const PHOTO_TYPES: readonly string[] = ["image/jpeg", "image/png", "image/webp"];
const POLL_INTERVAL_MS = 1000;
/** Consecutive failed polls after which the page stops polling and says so. */
const MAX_POLL_FAILURES = 5;

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`#${id} is missing from the page`);
  return found;
}

const ui = {
  startPanel: element("start-panel", HTMLElement),
  startButton: element("start-button", HTMLButtonElement),
  sessionPanel: element("session-panel", HTMLElement),
  sessionInfo: element("session-info", HTMLParagraphElement),
  sessionId: element("session-id", HTMLElement),
  sessionCreated: element("session-created", HTMLTimeElement),
  notice: element("notice", HTMLParagraphElement),
  chat: element("chat", HTMLElement),
  photo: element("photo", HTMLElement),
  finish: element("finish", HTMLElement),
  /** Where each action's errors are said: beside its button, in an alert region. */
  errors: {
    start: element("start-error", HTMLParagraphElement),
    chat: element("chat-error", HTMLParagraphElement),
    photo: element("photo-error", HTMLParagraphElement),
    partner: element("partner-error", HTMLParagraphElement),
    child: element("child-error", HTMLParagraphElement),
    finish: element("finish-error", HTMLParagraphElement),
  },
  messages: element("messages", HTMLOListElement),
  messageForm: element("message-form", HTMLFormElement),
  messageInput: element("message-input", HTMLInputElement),
  sendButton: element("send-button", HTMLButtonElement),
  profile: element("profile", HTMLElement),
  profileBar: element("profile-bar", HTMLDivElement),
  profileProgress: element("profile-progress", HTMLParagraphElement),
  profileFields: element("profile-fields", HTMLDListElement),
  profileComplete: element("profile-complete", HTMLParagraphElement),
  photoInput: element("photo-input", HTMLInputElement),
  photoName: element("photo-name", HTMLSpanElement),
  uploadButton: element("upload-button", HTMLButtonElement),
  photoStatus: element("photo-status", HTMLParagraphElement),
  photoPreview: element("photo-preview", HTMLImageElement),
  completeButton: element("complete-button", HTMLButtonElement),
  completeReason: element("complete-reason", HTMLParagraphElement),
  eraseButton: element("erase-button", HTMLButtonElement),
  result: element("result", HTMLDivElement),
  resultCompletedAt: element("result-completed-at", HTMLTimeElement),
  resultPictures: element("result-pictures", HTMLDivElement),
  pictures: {
    partner: {
      figure: element("picture-partner", HTMLElement),
      image: element("partner-image", HTMLImageElement),
      status: element("partner-status", HTMLParagraphElement),
      button: element("generate-partner", HTMLButtonElement),
      reason: element("partner-reason", HTMLParagraphElement),
    },
    child: {
      figure: element("picture-child", HTMLElement),
      image: element("child-image", HTMLImageElement),
      status: element("child-status", HTMLParagraphElement),
      button: element("generate-child", HTMLButtonElement),
      reason: element("child-reason", HTMLParagraphElement),
    },
  },
};

const client = new HeraClient(window.HERA_CONFIG?.apiBaseUrl ?? "http://localhost:3000");

interface PageState {
  locale: Locale;
  /** Bumped when a session starts or ends, so late answers and polls of an old session are dropped. */
  epoch: number;
  completed: boolean;
  /** The profile as last answered and what it still lacks: what the buttons' reasons read. */
  profile: Profile;
  missingFields: readonly ProfileField[];
  photo: PhotoView | null;
  images: Record<ImageKind, ImageView | null>;
  /** The job whose picture each <img> shows, so polling does not reload it with every fresh URL. */
  shownJob: Record<ImageKind, string | null>;
  polling: boolean;
  /** Set when polling gave up after repeated failures: what it waited for no longer counts as running. */
  pollGaveUp: boolean;
  /** The buttons whose action is under way (each shows a spinner and is disabled until it ends). */
  inFlight: Set<HTMLButtonElement>;
}

const state: PageState = {
  locale: chosenLocale(),
  epoch: 0,
  completed: false,
  profile: {},
  missingFields: PROFILE_FIELDS,
  photo: null,
  images: { partner: null, child: null },
  shownJob: { partner: null, child: null },
  polling: false,
  pollGaveUp: false,
  inFlight: new Set(),
};

function chosenLocale(): Locale {
  const checked = document.querySelector<HTMLInputElement>('input[name="locale"]:checked');
  return checked?.value === "en" ? "en" : "ja";
}

function tr(key: MessageKey, values?: Record<string, string | number>): string {
  return t(state.locale, key, values);
}

// ---- static texts, alerts -------------------------------------------------------------------

function renderTexts(): void {
  document.documentElement.lang = state.locale;
  for (const node of document.querySelectorAll<HTMLElement>("[data-i18n]")) {
    node.textContent = label(state.locale, node.dataset.i18n ?? "", node.textContent ?? "");
  }
  renderPhotoName();
  for (const node of document.querySelectorAll<HTMLInputElement>("[data-i18n-placeholder]")) {
    node.placeholder = label(state.locale, node.dataset.i18nPlaceholder ?? "", "");
  }
}

/** Says `text` in the alert region beside the action, and brings it into view; `code` is kept for tests and styling. */
function say(where: HTMLElement, code: string, text: string): void {
  where.dataset.code = code;
  where.textContent = text;
  where.scrollIntoView({ block: "nearest" });
}

function showError(where: HTMLElement, error: unknown): void {
  const apiError = error instanceof ApiError ? error : new ApiError(0, "unknown", error instanceof Error ? error.message : String(error));
  say(where, apiError.code, errorMessage(state.locale, apiError));
}

function showNotice(text: string): void {
  ui.notice.textContent = text;
  ui.notice.hidden = false;
  ui.notice.scrollIntoView({ block: "nearest" });
}

function clearMessages(): void {
  for (const region of Object.values(ui.errors)) {
    region.textContent = "";
    delete region.dataset.code;
  }
  ui.notice.hidden = true;
}

/**
 * Runs a user action: clears old messages, keeps its button disabled with a spinner (aria-busy) meanwhile, and says
 * any error in `where`, the alert region beside the button.
 */
async function act(button: HTMLButtonElement, where: HTMLElement, action: () => Promise<void>): Promise<void> {
  clearMessages();
  state.inFlight.add(button);
  updateControls();
  const epoch = state.epoch;
  try {
    await action();
  } catch (error) {
    if (epoch === state.epoch) showError(where, error);
  } finally {
    state.inFlight.delete(button);
    updateControls();
  }
}

// ---- locale-aware text ----------------------------------------------------------------------

const AUTO_PHRASE = typeof CSS !== "undefined" && CSS.supports("word-break", "auto-phrase");

/**
 * Sets a node's text so that Japanese breaks between phrases: the stylesheet's `word-break: auto-phrase` where the
 * browser has it; elsewhere a <wbr> before each word Intl.Segmenter finds (the stylesheet keeps the rest together).
 */
function setPhrasedText(node: HTMLElement, text: string): void {
  if (AUTO_PHRASE || state.locale !== "ja" || typeof Intl.Segmenter !== "function") {
    node.textContent = text;
    return;
  }
  const parts: Array<string | Node> = [];
  for (const { segment, isWordLike, index } of new Intl.Segmenter("ja", { granularity: "word" }).segment(text)) {
    if (isWordLike && index > 0) parts.push(document.createElement("wbr"));
    parts.push(segment);
  }
  node.replaceChildren(...parts);
}

function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(localeTag(state.locale), options).format(value);
}

function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(localeTag(state.locale), { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

function renderPhotoName(): void {
  ui.photoName.textContent = ui.photoInput.files?.[0]?.name ?? tr("photoNoFile");
}

// ---- chat and profile -----------------------------------------------------------------------

function addMessage(role: "user" | "assistant", text: string): HTMLLIElement {
  const item = document.createElement("li");
  item.className = `message ${role}`;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = role === "user" ? tr("you") : tr("interviewer");
  const body = document.createElement("p");
  setPhrasedText(body, text);
  item.append(who, body);
  ui.messages.append(item);
  ui.messages.scrollTop = ui.messages.scrollHeight;
  return item;
}

function renderProfile(profile: Profile, missingFields: readonly ProfileField[], complete: boolean): void {
  state.profile = profile;
  state.missingFields = missingFields;
  const missing = new Set<string>(missingFields);
  ui.profileFields.replaceChildren();
  for (const field of PROFILE_FIELDS) {
    const term = document.createElement("dt");
    term.textContent = fieldLabel(state.locale, field);
    const value = document.createElement("dd");
    value.dataset.field = field;
    const text = formatField(profile, field);
    if (missing.has(field)) {
      term.classList.add("missing");
      value.classList.add("missing");
      value.textContent = text ? `${text} · ${tr("missing")}` : tr("missing");
    } else {
      value.textContent = text || "—";
    }
    ui.profileFields.append(term, value);
  }
  const done = PROFILE_FIELDS.filter((field) => !missing.has(field)).length;
  ui.profileProgress.textContent = tr("profileProgress", { done: formatNumber(done), total: formatNumber(PROFILE_FIELDS.length) });
  ui.profileBar.style.width = `${Math.round((done / PROFILE_FIELDS.length) * 100)}%`;
  ui.profile.dataset.complete = String(complete);
  ui.profileComplete.hidden = !complete || state.completed;
}

function formatField(profile: Profile, field: ProfileField): string {
  const locale = state.locale;
  switch (field) {
    case "age":
      return profile.age === undefined ? "" : tr("ageValue", { age: formatNumber(profile.age) });
    case "gender":
      return profile.gender ? label(locale, `gender.${profile.gender}`, profile.gender) : "";
    case "relationshipStatus":
      return profile.relationshipStatus ? label(locale, `relationship.${profile.relationshipStatus}`, profile.relationshipStatus) : "";
    case "location":
      return profile.location ?? "";
    case "incomeRange":
      return profile.incomeRange ?? "";
    case "personality": {
      const scores = profile.personality ?? {};
      return TRAITS.flatMap((trait) => {
        const score = scores[trait];
        return score === undefined ? [] : [`${traitLabel(locale, trait)} ${formatNumber(score, { style: "percent" })}`];
      }).join(", ");
    }
    case "partner": {
      const partner = profile.partner ?? {};
      return (["name", "temperament", "appearance"] as const)
        .flatMap((key) => (partner[key] ? [`${label(locale, `partner.${key}`, key)}: ${partner[key]}`] : []))
        .join(" / ");
    }
    case "children":
      return (profile.children ?? [])
        .map((child) => {
          const gender = child.desiredGender ? label(locale, `childGender.${child.desiredGender}`, child.desiredGender) : "";
          return gender ? `${child.name ?? "?"} (${gender})` : (child.name ?? "?");
        })
        .join(", ");
  }
}

// ---- photo and pictures ---------------------------------------------------------------------

function renderPhoto(photo: PhotoView | null): void {
  const newlyRejected = photo?.status === "rejected" && state.photo?.status !== "rejected";
  state.photo = photo;
  ui.photoStatus.dataset.status = photo?.status ?? "none";
  if (!photo) ui.photoStatus.textContent = tr("photoNone");
  else if (photo.status === "rejected") ui.photoStatus.textContent = photoRejection(state.locale, photo.reason);
  else ui.photoStatus.textContent = tr(`photo.${photo.status}`);
  // The verdict comes while the person may have scrolled on: a rejection is brought into view (and read out: aria-live).
  if (newlyRejected) ui.photoStatus.scrollIntoView({ block: "nearest" });
  if (photo?.status === "ready" && photo.url) {
    if (ui.photoPreview.hidden) ui.photoPreview.src = photo.url;
    ui.photoPreview.hidden = false;
  } else {
    ui.photoPreview.hidden = true;
    ui.photoPreview.removeAttribute("src");
  }
}

function renderImage(kind: ImageKind, image: ImageView | null): void {
  const newlyFailed = image?.status === "failed" && state.images[kind]?.status !== "failed";
  state.images[kind] = image;
  const view = ui.pictures[kind];
  view.status.dataset.status = image?.status ?? "none";
  view.status.textContent = !image
    ? tr("image.none")
    : image.status === "failed"
      ? image.error === "provider_refused"
        ? tr("image.refused")
        : image.error === "images_paused"
          ? tr("image.paused")
          : tr("image.failed", { error: image.error ?? "?" })
      : tr(`image.${image.status}`);
  view.button.textContent = image?.status === "ready" || image?.status === "failed" ? tr("regenerate") : tr("generate");
  if (newlyFailed) view.status.scrollIntoView({ block: "nearest" });
  if (image?.status === "ready" && image.url) {
    if (state.shownJob[kind] !== image.jobId) {
      state.shownJob[kind] = image.jobId;
      view.image.src = image.url;
      view.image.alt = tr(`kind.${kind}`);
    }
    view.image.hidden = false;
  } else if (image?.status !== "pending" && image?.status !== "running") {
    // A new job keeps the old picture in view until its replacement is ready.
    state.shownJob[kind] = null;
    view.image.hidden = true;
    view.image.removeAttribute("src");
  }
}

function applyView(view: SessionView): void {
  state.completed = view.status === "completed";
  ui.sessionCreated.dateTime = view.createdAt;
  ui.sessionCreated.textContent = formatDateTime(view.createdAt);
  renderProfile(view.profile, view.missingFields, view.profileComplete);
  renderPhoto(view.photo);
  for (const kind of KINDS) renderImage(kind, view.images[kind]);
  updateControls();
}

function photoChecking(): boolean {
  return state.photo?.status === "pending";
}

function imageRunning(kind: ImageKind): boolean {
  const status = state.images[kind]?.status;
  return status === "pending" || status === "running";
}

function needsPolling(): boolean {
  return photoChecking() || KINDS.some(imageRunning);
}

/** A failed poll is said where the person waits: beside the photo and each picture still under way. */
function showPollError(error: unknown): void {
  const regions = [...(photoChecking() ? [ui.errors.photo] : []), ...KINDS.filter(imageRunning).map((kind) => ui.errors[kind])];
  for (const region of regions.length > 0 ? regions : [ui.errors.photo]) showError(region, error);
}

/** Polls the session view while a photo check or a generation is under way, as the API expects. */
async function pollWhileBusy(): Promise<void> {
  if (state.polling) return;
  state.polling = true;
  state.pollGaveUp = false;
  const epoch = state.epoch;
  let failures = 0;
  try {
    while (epoch === state.epoch && needsPolling()) {
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      if (epoch !== state.epoch) return;
      try {
        const view = await client.getSession();
        if (epoch !== state.epoch) return;
        failures = 0;
        applyView(view);
      } catch (error) {
        if (epoch !== state.epoch) return;
        failures += 1;
        showPollError(error);
        const gone = error instanceof ApiError && (error.code === "session_not_found" || error.code === "missing_token");
        if (gone || failures >= MAX_POLL_FAILURES) {
          // The buttons come back, so the person can try again rather than wait on a spinner that never ends.
          state.pollGaveUp = true;
          updateControls();
          return;
        }
      }
    }
  } finally {
    state.polling = false;
  }
}

// ---- completion and erasure -----------------------------------------------------------------

function renderResult(completed: CompletedSession): void {
  ui.result.hidden = false;
  ui.resultCompletedAt.dateTime = completed.completedAt;
  ui.resultCompletedAt.textContent = formatDateTime(completed.completedAt);
  const pictures: Array<[string, { url: string } | null]> = [
    [tr("photoTitle"), completed.result.photo],
    [tr("kind.partner"), completed.result.images.partner],
    [tr("kind.child"), completed.result.images.child],
  ];
  ui.resultPictures.replaceChildren(
    ...pictures.flatMap(([caption, picture]) => {
      if (!picture) return [];
      const figure = document.createElement("figure");
      const image = document.createElement("img");
      image.src = picture.url;
      image.alt = caption;
      const text = document.createElement("figcaption");
      text.textContent = caption;
      figure.append(image, text);
      return [figure];
    }),
  );
}

function resetToStart(): void {
  state.epoch += 1;
  state.completed = false;
  state.profile = {};
  state.missingFields = PROFILE_FIELDS;
  state.photo = null;
  state.images = { partner: null, child: null };
  state.shownJob = { partner: null, child: null };
  ui.messages.replaceChildren();
  ui.messageInput.value = "";
  ui.photoInput.value = "";
  renderPhotoName();
  ui.result.hidden = true;
  ui.resultPictures.replaceChildren();
  ui.sessionPanel.hidden = true;
  ui.sessionInfo.hidden = true;
  ui.sessionId.textContent = "";
  ui.startPanel.hidden = false;
  renderPhoto(null);
  for (const kind of KINDS) renderImage(kind, null);
  updateControls();
}

/** A button that is `busy` is disabled and shows a spinner (aria-busy); one that is `unavailable` is just disabled. */
function setBusy(button: HTMLButtonElement, busy: boolean, unavailable: boolean): void {
  button.disabled = busy || unavailable;
  button.setAttribute("aria-busy", String(busy));
}

/** What a picture needs before it can be generated, named as the API's `precondition_failed` names it. */
function missingForImage(kind: ImageKind): string[] {
  if (kind === "partner") {
    const partner = state.profile.partner ?? {};
    return (["name", "temperament", "appearance"] as const).filter((key) => !partner[key]).map((key) => `partner.${key}`);
  }
  return [
    ...(state.photo?.status === "ready" ? [] : ["photo"]),
    ...(state.images.partner?.status === "ready" ? [] : ["images.partner"]),
    ...((state.profile.children ?? []).length > 0 ? [] : ["children"]),
  ];
}

/** Why the session cannot be completed yet, in one line, or "" when it can. */
function completeReason(): string {
  if (state.missingFields.length > 0) return tr("reason.interview", { list: missingFieldsList(state.locale, state.missingFields) });
  if (KINDS.some(imageRunning) && !state.pollGaveUp) return tr("reason.imagesRunning");
  return "";
}

function updateControls(): void {
  const open = client.sessionId !== null && !state.completed;
  const sending = state.inFlight.has(ui.sendButton);
  setBusy(ui.startButton, state.inFlight.has(ui.startButton), false);
  ui.startPanel.setAttribute("aria-busy", String(state.inFlight.has(ui.startButton)));
  ui.messageInput.disabled = !open || sending;
  setBusy(ui.sendButton, sending, !open);
  ui.messages.setAttribute("aria-busy", String(sending));
  // The photo's job runs from the upload request until its check is done.
  const uploading = state.inFlight.has(ui.uploadButton) || (photoChecking() && !state.pollGaveUp);
  ui.photoInput.disabled = !open || uploading;
  setBusy(ui.uploadButton, uploading, !open);
  ui.photo.setAttribute("aria-busy", String(uploading));
  for (const kind of KINDS) {
    const view = ui.pictures[kind];
    // A picture's job runs from the request until it is ready or failed.
    const generating = state.inFlight.has(view.button) || (imageRunning(kind) && !state.pollGaveUp);
    const missing = open && !generating ? missingForImage(kind) : [];
    setBusy(view.button, generating, !open || missing.length > 0);
    view.reason.textContent = missing.length > 0 ? tr("reason.needs", { list: needsList(state.locale, missing) }) : "";
    view.figure.setAttribute("aria-busy", String(generating));
  }
  const finishing = state.inFlight.has(ui.completeButton) || state.inFlight.has(ui.eraseButton);
  const completeBlocked = open && !finishing ? completeReason() : "";
  ui.completeReason.textContent = completeBlocked;
  setBusy(ui.completeButton, state.inFlight.has(ui.completeButton), client.sessionId === null || finishing || completeBlocked !== "");
  setBusy(ui.eraseButton, state.inFlight.has(ui.eraseButton), client.sessionId === null || finishing);
  ui.finish.setAttribute("aria-busy", String(finishing));
}

// ---- wiring ---------------------------------------------------------------------------------

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="locale"]')) {
  radio.addEventListener("change", () => {
    state.locale = chosenLocale();
    renderTexts();
    updateControls();
  });
}

ui.startButton.addEventListener("click", () => {
  void act(ui.startButton, ui.errors.start, async () => {
    state.locale = chosenLocale();
    renderTexts();
    ui.startButton.textContent = tr("starting");
    try {
      const created = await client.createSession(state.locale);
      state.epoch += 1;
      ui.sessionId.textContent = created.sessionId;
      ui.sessionInfo.hidden = false;
      ui.startPanel.hidden = true;
      ui.sessionPanel.hidden = false;
      addMessage("assistant", created.reply);
      updateControls();
      ui.messageInput.focus();
      applyView(await client.getSession());
    } finally {
      ui.startButton.textContent = tr("start");
    }
  });
});

ui.messageForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = ui.messageInput.value.trim();
  if (!text) {
    // The API would refuse it (at least one visible character): the person hears why instead of nothing happening.
    clearMessages();
    say(ui.errors.chat, "message_empty", tr("messageEmpty"));
    ui.messageInput.focus();
    return;
  }
  void act(ui.sendButton, ui.errors.chat, async () => {
    const sent = addMessage("user", text);
    ui.messageInput.value = "";
    try {
      const answer = await client.sendMessage(text);
      addMessage("assistant", answer.reply);
      state.completed = answer.status === "completed";
      renderProfile(answer.profile, answer.missingFields, answer.profileComplete);
    } catch (error) {
      // Nothing was stored: the text goes back to the input so the person can send it again.
      sent.remove();
      ui.messageInput.value = text;
      throw error;
    } finally {
      // Enabled again first: a disabled input cannot take the focus.
      state.inFlight.delete(ui.sendButton);
      updateControls();
      ui.messageInput.focus();
    }
  });
});

ui.photoInput.addEventListener("change", renderPhotoName);

ui.uploadButton.addEventListener("click", () => {
  void act(ui.uploadButton, ui.errors.photo, async () => {
    const file = ui.photoInput.files?.[0];
    if (!file) {
      say(ui.errors.photo, "photo_missing", tr("photoChooseFirst"));
      return;
    }
    // The API takes these three types only; another would come back as an invalid request, so it is said here.
    if (!PHOTO_TYPES.includes(file.type)) {
      say(ui.errors.photo, "photo_wrong_type", tr("photoWrongType", { type: file.type || tr("unknownType") }));
      return;
    }
    ui.photoStatus.textContent = tr("photoUploading");
    ui.photoStatus.dataset.status = "uploading";
    try {
      const grant = await client.requestPhotoUpload(file.type, file.size);
      await client.uploadPhoto(grant.upload, file);
    } catch (error) {
      renderPhoto(state.photo);
      throw error;
    }
    renderPhoto({ status: "pending", contentType: file.type, size: file.size });
    void pollWhileBusy();
  });
});

for (const kind of KINDS) {
  const button = ui.pictures[kind].button;
  button.addEventListener("click", () => {
    void act(button, ui.errors[kind], async () => {
      const { image } = await client.requestImage(kind);
      renderImage(kind, { status: image.status, jobId: image.jobId, ...(image.url ? { url: image.url } : {}) });
      void pollWhileBusy();
    });
  });
}

ui.completeButton.addEventListener("click", () => {
  void act(ui.completeButton, ui.errors.finish, async () => {
    const completed = await client.complete();
    state.completed = true;
    renderResult(completed);
    ui.profileComplete.hidden = true;
  });
});

ui.eraseButton.addEventListener("click", () => {
  if (!window.confirm(tr("eraseConfirm"))) return;
  void act(ui.eraseButton, ui.errors.finish, async () => {
    try {
      await client.erase();
    } catch (error) {
      // Already gone on the server (expired or erased elsewhere): the page forgets it all the same.
      if (!(error instanceof ApiError && error.code === "session_not_found")) throw error;
      client.forget();
    }
    resetToStart();
    showNotice(tr("erased"));
  });
});

renderTexts();
resetToStart();
