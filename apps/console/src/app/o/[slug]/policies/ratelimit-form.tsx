"use client";

import { Field } from "@switchyard/ui/field";
import {
  ClusterScopeFields,
  FieldNote,
  type FormProps,
  NameSection,
  type PathMessages,
  SelectInput,
  TextField,
  unshownFor,
} from "./form-parts";
import { type RateLimitForm, type RateLimitUnit, rateLimitUnits } from "./ratelimit-form-model";

const shownPaths = [
  /^metadata(\.name)?$/,
  /^spec\.scope(\.(clusters(\..*)?|namespace|service))?$/,
  /^spec\.precedence$/,
  /^spec\.limit(\.(requests|per|burst))?$/,
];

export function unshownRateLimitMessages(messages: PathMessages): string[] {
  return unshownFor(shownPaths, messages);
}

const unitOptions = rateLimitUnits.map((unit) => [unit, `per ${unit}`] as const);

export function RateLimitPolicyForm({ form, onChange, messages, isNameLocked }: FormProps<RateLimitForm>) {
  const set = (patch: Partial<RateLimitForm>) => onChange({ ...form, ...patch });
  const perErrors = messages["spec.limit.per"];
  return (
    <div className="policy-form" data-test="ratelimit-form">
      <NameSection
        name={form.name}
        onChange={(name) => set({ name })}
        messages={messages}
        isNameLocked={isNameLocked}
        placeholder="search-100rps"
      />
      <fieldset className="policy-form__section">
        <legend>Scope</legend>
        <ClusterScopeFields
          scope={form.clusters}
          onChange={(patch) => set({ clusters: { ...form.clusters, ...patch } })}
          messages={messages}
        />
        <div className="policy-form__row">
          <TextField
            id="scope-namespace"
            label="Namespace"
            value={form.namespace}
            onChange={(namespace) => set({ namespace })}
            messages={messages}
            path="spec.scope.namespace"
            placeholder="shop"
          />
          <TextField
            id="scope-service"
            label="Service"
            value={form.service}
            onChange={(service) => set({ service })}
            messages={messages}
            path="spec.scope.service"
            placeholder="search"
          />
          <TextField
            id="precedence"
            label="Precedence"
            hint="Optional; higher wins a conflict"
            value={form.precedence}
            onChange={(precedence) => set({ precedence })}
            messages={messages}
            path="spec.precedence"
            placeholder="0"
          />
        </div>
      </fieldset>
      <fieldset className="policy-form__section">
        <legend>Limit</legend>
        <p className="muted">Enforced by each sidecar: a budget per replica. Over it, requests get 429.</p>
        <div className="policy-form__row">
          <TextField
            id="limit-requests"
            label="Requests"
            value={form.requests}
            onChange={(requests) => set({ requests })}
            messages={messages}
            path="spec.limit.requests"
            placeholder="100"
          />
          <Field id="limit-per" label="Per" errors={perErrors}>
            <SelectInput<RateLimitUnit>
              id="limit-per"
              value={form.per}
              options={unitOptions}
              onChange={(per) => set({ per })}
              hasError={Boolean(perErrors)}
            />
          </Field>
          <TextField
            id="limit-burst"
            label="Burst"
            hint="Optional; defaults to requests"
            value={form.burst}
            onChange={(burst) => set({ burst })}
            messages={messages}
            path="spec.limit.burst"
          />
        </div>
        <FieldNote messages={messages["spec.limit"]} test="limit-error" />
      </fieldset>
    </div>
  );
}
