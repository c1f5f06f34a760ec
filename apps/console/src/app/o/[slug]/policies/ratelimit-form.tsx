"use client";

import { Field } from "@switchyard/ui/field";
import {
  FieldNote,
  type FormProps,
  NameSection,
  type PathMessages,
  PrecedenceField,
  SelectInput,
  ServiceScopeSection,
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
      <ServiceScopeSection
        clusters={form.clusters}
        namespace={form.namespace}
        service={form.service}
        onChange={set}
        messages={messages}
        servicePlaceholder="search"
      >
        <PrecedenceField
          value={form.precedence}
          onChange={(precedence) => set({ precedence })}
          messages={messages}
        />
      </ServiceScopeSection>
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
