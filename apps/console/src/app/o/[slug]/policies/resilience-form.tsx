"use client";

import { Button } from "@switchyard/ui/button";
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
  under,
  unshownFor,
} from "./form-parts";
import {
  type Algorithm,
  type FailoverForm,
  type HashBy,
  httpFields,
  type LimitField,
  limitFields,
  outlierFields,
  type ResilienceForm,
  tcpFields,
} from "./resilience-form-model";

const shownPaths = [
  /^spec$/,
  /^metadata(\.name)?$/,
  /^spec\.scope(\.(clusters(\..*)?|namespace|service))?$/,
  /^spec\.precedence$/,
  /^spec\.loadBalancer(\..*)?$/,
  /^spec\.connectionPool(\..*)?$/,
  /^spec\.outlierDetection(\..*)?$/,
];

export function unshownResilienceMessages(messages: PathMessages): string[] {
  return unshownFor(shownPaths, messages);
}

const algorithmOptions = [
  ["", "Istio default"],
  ["round-robin", "Round robin"],
  ["least-request", "Least request"],
  ["random", "Random"],
  ["consistent-hash", "Consistent hash"],
] as const satisfies readonly (readonly [Algorithm, string])[];

const hashOptions = [
  ["header", "Header"],
  ["cookie", "Cookie"],
  ["sourceIp", "Source IP"],
] as const satisfies readonly (readonly [HashBy, string])[];

const limitLabels: Record<LimitField, { id: string; label: string; hint?: string }> = {
  tcpMaxConnections: { id: "pool-tcp-max-connections", label: "Max connections" },
  tcpConnectTimeout: { id: "pool-tcp-connect-timeout", label: "Connect timeout", hint: "e.g. 1s" },
  httpMaxPendingRequests: { id: "pool-http-max-pending", label: "Max pending requests" },
  httpMaxRequests: { id: "pool-http-max-requests", label: "Max requests" },
  httpMaxRequestsPerConnection: { id: "pool-http-max-per-connection", label: "Max requests per connection" },
  httpMaxRetries: { id: "pool-http-max-retries", label: "Max retries" },
  httpIdleTimeout: { id: "pool-http-idle-timeout", label: "Idle timeout", hint: "e.g. 5m" },
  outlierConsecutive5xxErrors: { id: "outlier-consecutive-5xx", label: "Consecutive 5xx errors" },
  outlierInterval: { id: "outlier-interval", label: "Interval", hint: "e.g. 10s" },
  outlierBaseEjectionTime: { id: "outlier-base-ejection", label: "Base ejection time", hint: "e.g. 30s" },
  outlierMaxEjectionPercent: { id: "outlier-max-ejection", label: "Max ejection %" },
};

export function ResiliencePolicyForm({ form, onChange, messages, isNameLocked }: FormProps<ResilienceForm>) {
  const set = (patch: Partial<ResilienceForm>) => onChange({ ...form, ...patch });
  const setFailover = (index: number, patch: Partial<FailoverForm>) =>
    set({ failover: form.failover.map((row, i) => (i === index ? { ...row, ...patch } : row)) });
  const limitRow = (fields: readonly LimitField[]) => (
    <div className="policy-form__row">
      {fields.map((field) => (
        <TextField
          key={field}
          {...limitLabels[field]}
          value={form.limits[field]}
          onChange={(value) => set({ limits: { ...form.limits, [field]: value } })}
          messages={messages}
          path={`spec.${limitFields[field]}`}
        />
      ))}
    </div>
  );
  const showsHash = form.algorithm === "consistent-hash" || form.hashBy !== "";
  const hashErrors = under(messages, "spec.loadBalancer.hashKey");

  return (
    <div className="policy-form" data-test="resilience-form">
      <NameSection
        name={form.name}
        onChange={(name) => set({ name })}
        messages={messages}
        isNameLocked={isNameLocked}
        placeholder="ratings-resilience"
      />
      <ServiceScopeSection
        clusters={form.clusters}
        namespace={form.namespace}
        service={form.service}
        onChange={set}
        messages={messages}
        servicePlaceholder="ratings"
      >
        <PrecedenceField
          value={form.precedence}
          onChange={(precedence) => set({ precedence })}
          messages={messages}
        />
      </ServiceScopeSection>
      <FieldNote messages={messages.spec} test="resilience-error" />
      <fieldset className="policy-form__section">
        <legend>Load balancing</legend>
        <div className="policy-form__row">
          <Field
            id="lb-algorithm"
            label="Algorithm"
            errors={messages["spec.loadBalancer.algorithm"] ?? messages["spec.loadBalancer"]}
          >
            <SelectInput
              id="lb-algorithm"
              value={form.algorithm}
              options={algorithmOptions}
              onChange={(algorithm) =>
                set({
                  algorithm,
                  hashBy: algorithm !== "consistent-hash" ? "" : form.hashBy === "" ? "header" : form.hashBy,
                })
              }
              hasError={Boolean(messages["spec.loadBalancer.algorithm"])}
            />
          </Field>
          {showsHash ? (
            <Field id="lb-hash-by" label="Hash by" errors={messages["spec.loadBalancer.hashKey"]}>
              <SelectInput
                id="lb-hash-by"
                value={form.hashBy === "" ? "header" : form.hashBy}
                options={hashOptions}
                onChange={(hashBy) => set({ hashBy })}
                hasError={Boolean(hashErrors)}
              />
            </Field>
          ) : null}
          {showsHash && (form.hashBy === "header" || form.hashBy === "") ? (
            <TextField
              id="lb-hash-header"
              label="Header"
              value={form.hashHeader}
              onChange={(hashHeader) => set({ hashHeader, hashBy: "header" })}
              messages={messages}
              path="spec.loadBalancer.hashKey.header"
              placeholder="x-user"
            />
          ) : null}
          {showsHash && form.hashBy === "cookie" ? (
            <>
              <TextField
                id="lb-cookie-name"
                label="Cookie"
                value={form.cookieName}
                onChange={(cookieName) => set({ cookieName })}
                messages={messages}
                path="spec.loadBalancer.hashKey.cookie.name"
                placeholder="session"
              />
              <TextField
                id="lb-cookie-ttl"
                label="Cookie TTL"
                hint="e.g. 1h (optional)"
                value={form.cookieTtl}
                onChange={(cookieTtl) => set({ cookieTtl })}
                messages={messages}
                path="spec.loadBalancer.hashKey.cookie.ttl"
              />
            </>
          ) : null}
        </div>
        <div className="destinations" data-test="failover">
          <span className="sy-field__label">Locality failover</span>
          {form.failover.map((row, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place
            <div key={index} className="destinations__row" data-test="failover-row">
              <TextField
                id={`failover-${index}-from`}
                label="From"
                value={row.from}
                onChange={(from) => setFailover(index, { from })}
                messages={messages}
                path={`spec.loadBalancer.localityFailover.${index}.from`}
                placeholder="eu-west1"
              />
              <TextField
                id={`failover-${index}-to`}
                label="To"
                value={row.to}
                onChange={(to) => setFailover(index, { to })}
                messages={messages}
                path={`spec.loadBalancer.localityFailover.${index}.to`}
                placeholder="eu-central1"
              />
              <Button
                variant="ghost"
                size="sm"
                onClick={() => set({ failover: form.failover.filter((_, i) => i !== index) })}
              >
                Remove
              </Button>
            </div>
          ))}
          <div className="destinations__footer">
            <Button
              variant="secondary"
              size="sm"
              onClick={() => set({ failover: [...form.failover, { from: "", to: "", extra: {} }] })}
              data-test="failover-add"
            >
              Add failover
            </Button>
            {form.failover.length > 0 ? (
              <span className="muted">Istio ignores failover without outlier detection.</span>
            ) : null}
          </div>
          <FieldNote messages={messages["spec.loadBalancer.localityFailover"]} test="failover-error" />
        </div>
      </fieldset>
      <fieldset className="policy-form__section">
        <legend>Connection pool</legend>
        <FieldNote messages={messages["spec.connectionPool"]} test="pool-error" />
        <span className="sy-field__label">TCP</span>
        {limitRow(tcpFields)}
        <span className="sy-field__label">HTTP</span>
        {limitRow(httpFields)}
      </fieldset>
      <fieldset className="policy-form__section">
        <legend>Outlier detection</legend>
        <FieldNote messages={messages["spec.outlierDetection"]} test="outlier-error" />
        {limitRow(outlierFields)}
      </fieldset>
    </div>
  );
}
