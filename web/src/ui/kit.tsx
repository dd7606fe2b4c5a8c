// Shared building blocks. Every control is labelled, every state says what to do next, and
// nothing is told by colour alone (badges carry words, alerts carry a heading).
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { describe } from "../api/problem";
import { onLinkClick } from "../router";

export function Link(props: { to: string; children: ComponentChildren; class?: string; current?: boolean }) {
  return (
    <a
      href={props.to}
      class={props.class}
      aria-current={props.current ? "page" : undefined}
      onClick={(event) => onLinkClick(event, props.to)}
    >
      {props.children}
    </a>
  );
}

let announcedPath: string | null = null;

export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · Atlas`;
    // Screen readers hear the new screen's name; a screen that re-renders its page (loading,
    // then loaded, a live refresh) must not pull focus away from what the person is on.
    if (window.location.pathname !== announcedPath) {
      announcedPath = window.location.pathname;
      heading.current?.focus();
    }
  }, [props.title]);
  return (
    <section class="page">
      <header class="page-header">
        <h1 tabIndex={-1} ref={heading}>
          {props.title}
        </h1>
        {props.actions ? <div class="page-actions">{props.actions}</div> : null}
      </header>
      {props.children}
    </section>
  );
}

export function Field(props: {
  label: string;
  name: string;
  type?: string;
  value: string;
  onInput: (value: string) => void;
  required?: boolean;
  autocomplete?: string;
  hint?: string;
  minLength?: number;
  placeholder?: string;
}) {
  const id = `field-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        required={props.required}
        autoComplete={props.autocomplete}
        minLength={props.minLength}
        placeholder={props.placeholder}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
        onInput={(event) => props.onInput((event.target as HTMLInputElement).value)}
      />
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

export function Button(
  props: JSX.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: "primary" | "danger" | "quiet"; busy?: boolean },
) {
  const { variant, busy, children, class: extra, ...rest } = props;
  return (
    <button
      type="button"
      {...rest}
      class={`button ${variant ?? ""} ${extra ?? ""}`.trim()}
      disabled={Boolean(rest.disabled) || busy}
      aria-busy={busy ? "true" : undefined}
    >
      {children}
    </button>
  );
}

export function Alert(props: { kind: "error" | "info" | "success" | "warning"; title: string; children?: ComponentChildren }) {
  return (
    <div class={`alert ${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      <strong>{props.title}</strong>
      {props.children ? <div>{props.children}</div> : null}
    </div>
  );
}

export function ErrorState(props: { error: unknown; retry?: () => void }) {
  return (
    <Alert kind="error" title="Something went wrong">
      <p>{describe(props.error)}</p>
      {props.retry ? <Button onClick={props.retry}>Try again</Button> : null}
    </Alert>
  );
}

export function Empty(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <h2>{props.title}</h2>
      {props.children}
    </div>
  );
}

export function Loading(props: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      {props.label ?? "Loading…"}
    </p>
  );
}

export function Badge(props: { tone: "ok" | "warn" | "bad" | "busy" | "neutral"; children: ComponentChildren }) {
  // The word is the information; the colour only repeats it.
  return <span class={`badge ${props.tone}`}>{props.children}</span>;
}
