"use client";

// The form each policy kind is edited with, behind one interface for the editor: the form state
// tagged with its kind, its conversion to and from the document, and its component.
import type { YamlMap, YamlValue } from "~/lib/policy-yaml";
import { AuthorizationPolicyForm, unshownAuthorizationMessages } from "./authorization-form";
import {
  type AuthorizationForm,
  authorizationFormFromDocument,
  authorizationFormToDocument,
  emptyAuthorizationForm,
} from "./authorization-form-model";
import type { PathMessages } from "./form-parts";
import { MtlsPolicyForm, unshownMtlsMessages } from "./mtls-form";
import { emptyMtlsForm, type MtlsForm, mtlsFormFromDocument, mtlsFormToDocument } from "./mtls-form-model";
import type { PolicyKind } from "./policy-templates";
import { RateLimitPolicyForm, unshownRateLimitMessages } from "./ratelimit-form";
import {
  emptyRateLimitForm,
  type RateLimitForm,
  rateLimitFormFromDocument,
  rateLimitFormToDocument,
} from "./ratelimit-form-model";
import { ResiliencePolicyForm, unshownResilienceMessages } from "./resilience-form";
import {
  emptyResilienceForm,
  type ResilienceForm,
  resilienceFormFromDocument,
  resilienceFormToDocument,
} from "./resilience-form-model";
import { TrafficPolicyForm, unshownMessages } from "./traffic-form";
import {
  emptyTrafficForm,
  type TrafficForm,
  trafficFormFromDocument,
  trafficFormToDocument,
} from "./traffic-form-model";

export type PolicyFormState =
  | { kind: "TrafficPolicy"; form: TrafficForm }
  | { kind: "RateLimitPolicy"; form: RateLimitForm }
  | { kind: "MtlsPolicy"; form: MtlsForm }
  | { kind: "ResiliencePolicy"; form: ResilienceForm }
  | { kind: "AuthorizationPolicy"; form: AuthorizationForm };

export type FormKind = PolicyFormState["kind"];

const formKinds: readonly FormKind[] = [
  "TrafficPolicy",
  "ResiliencePolicy",
  "MtlsPolicy",
  "AuthorizationPolicy",
  "RateLimitPolicy",
];

export function hasForm(kind: PolicyKind): kind is FormKind {
  return (formKinds as readonly string[]).includes(kind);
}

export function emptyFormState(kind: FormKind): PolicyFormState {
  switch (kind) {
    case "TrafficPolicy":
      return { kind, form: emptyTrafficForm() };
    case "RateLimitPolicy":
      return { kind, form: emptyRateLimitForm() };
    case "MtlsPolicy":
      return { kind, form: emptyMtlsForm() };
    case "ResiliencePolicy":
      return { kind, form: emptyResilienceForm() };
    case "AuthorizationPolicy":
      return { kind, form: emptyAuthorizationForm() };
  }
}

/** The form for a document of `kind`; throws FormShapeError when the document goes beyond it. */
export function formStateFromDocument(kind: FormKind, document: YamlValue): PolicyFormState {
  switch (kind) {
    case "TrafficPolicy":
      return { kind, form: trafficFormFromDocument(document) };
    case "RateLimitPolicy":
      return { kind, form: rateLimitFormFromDocument(document) };
    case "MtlsPolicy":
      return { kind, form: mtlsFormFromDocument(document) };
    case "ResiliencePolicy":
      return { kind, form: resilienceFormFromDocument(document) };
    case "AuthorizationPolicy":
      return { kind, form: authorizationFormFromDocument(document) };
  }
}

export function formStateToDocument(state: PolicyFormState): YamlMap {
  switch (state.kind) {
    case "TrafficPolicy":
      return trafficFormToDocument(state.form);
    case "RateLimitPolicy":
      return rateLimitFormToDocument(state.form);
    case "MtlsPolicy":
      return mtlsFormToDocument(state.form);
    case "ResiliencePolicy":
      return resilienceFormToDocument(state.form);
    case "AuthorizationPolicy":
      return authorizationFormToDocument(state.form);
  }
}

export function withFormName(state: PolicyFormState, name: string): PolicyFormState {
  switch (state.kind) {
    case "TrafficPolicy":
      return { kind: state.kind, form: { ...state.form, name } };
    case "RateLimitPolicy":
      return { kind: state.kind, form: { ...state.form, name } };
    case "MtlsPolicy":
      return { kind: state.kind, form: { ...state.form, name } };
    case "ResiliencePolicy":
      return { kind: state.kind, form: { ...state.form, name } };
    case "AuthorizationPolicy":
      return { kind: state.kind, form: { ...state.form, name } };
  }
}

/** Messages whose path no field of the form shows, for the editor to list above it. */
export function unshownFormMessages(state: PolicyFormState, messages: PathMessages): string[] {
  switch (state.kind) {
    case "TrafficPolicy":
      return unshownMessages(messages);
    case "RateLimitPolicy":
      return unshownRateLimitMessages(messages);
    case "MtlsPolicy":
      return unshownMtlsMessages(messages);
    case "ResiliencePolicy":
      return unshownResilienceMessages(messages);
    case "AuthorizationPolicy":
      return unshownAuthorizationMessages(messages);
  }
}

export function PolicyKindForm({
  state,
  onChange,
  messages,
  isNameLocked,
}: {
  state: PolicyFormState;
  onChange: (state: PolicyFormState) => void;
  messages: PathMessages;
  isNameLocked: boolean;
}) {
  const common = { messages, isNameLocked };
  switch (state.kind) {
    case "TrafficPolicy":
      return (
        <TrafficPolicyForm
          form={state.form}
          onChange={(form) => onChange({ kind: state.kind, form })}
          {...common}
        />
      );
    case "RateLimitPolicy":
      return (
        <RateLimitPolicyForm
          form={state.form}
          onChange={(form) => onChange({ kind: state.kind, form })}
          {...common}
        />
      );
    case "MtlsPolicy":
      return (
        <MtlsPolicyForm
          form={state.form}
          onChange={(form) => onChange({ kind: state.kind, form })}
          {...common}
        />
      );
    case "ResiliencePolicy":
      return (
        <ResiliencePolicyForm
          form={state.form}
          onChange={(form) => onChange({ kind: state.kind, form })}
          {...common}
        />
      );
    case "AuthorizationPolicy":
      return (
        <AuthorizationPolicyForm
          form={state.form}
          onChange={(form) => onChange({ kind: state.kind, form })}
          {...common}
        />
      );
  }
}
