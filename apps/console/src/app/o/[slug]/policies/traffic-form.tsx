"use client";

import { Button } from "@switchyard/ui/button";
import { Field } from "@switchyard/ui/field";
import type { ReactNode } from "react";
import { type ClusterMode, emptyRoute, type RouteForm, type TrafficForm } from "./traffic-form-model";

/** Messages per document path ("spec.routes.0.destinations"), from validation and from the API. */
export type PathMessages = Record<string, string[]>;

type Props = {
  form: TrafficForm;
  onChange: (form: TrafficForm) => void;
  messages: PathMessages;
  isNameLocked: boolean;
};

/** Everything at or under one path, for a field that stands for a whole object (retries, fault). */
export function under(messages: PathMessages, prefix: string): string[] | undefined {
  const found = Object.entries(messages)
    .filter(([key]) => key === prefix || key.startsWith(`${prefix}.`))
    .flatMap(([, list]) => list);
  return found.length > 0 ? found : undefined;
}

const shownPaths = [
  /^metadata(\.name)?$/,
  /^spec\.scope(\.(clusters(\..*)?|namespace|service))?$/,
  /^spec\.precedence$/,
  /^spec\.routes(\.\d+(\.(name|timeout|retries(\..*)?|fault(\..*)?|destinations(\.\d+(\.(version|weight))?)?))?)?$/,
];

/** Messages whose path no form field shows, so the form can list them at its top instead. */
export function unshownMessages(messages: PathMessages): string[] {
  return Object.entries(messages)
    .filter(([key]) => !shownPaths.some((pattern) => pattern.test(key)))
    .flatMap(([key, list]) => list.map((message) => (key ? `${key}: ${message}` : message)));
}

export function TextInput({
  id,
  value,
  onChange,
  placeholder,
  hasError,
  disabled,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  hasError: boolean;
  disabled?: boolean;
}) {
  return (
    <input
      id={id}
      value={value}
      placeholder={placeholder}
      disabled={disabled}
      onChange={(event) => onChange(event.target.value)}
      aria-invalid={hasError}
      aria-describedby={hasError ? `${id}-error` : undefined}
      data-test={id}
    />
  );
}

export function TrafficPolicyForm({ form, onChange, messages, isNameLocked }: Props) {
  const at = (path: string) => messages[path];
  const set = (patch: Partial<TrafficForm>) => onChange({ ...form, ...patch });
  const setRoute = (index: number, patch: Partial<RouteForm>) =>
    set({ routes: form.routes.map((route, i) => (i === index ? { ...route, ...patch } : route)) });

  return (
    <div className="policy-form" data-test="traffic-form">
      <fieldset className="policy-form__section">
        <legend>Policy</legend>
        <Field
          id="policy-name"
          label="Name"
          errors={under(messages, "metadata")}
          hint="Lowercase letters, digits and '-'"
        >
          <TextInput
            id="policy-name"
            value={form.name}
            onChange={(name) => set({ name })}
            placeholder="reviews-canary"
            hasError={Boolean(under(messages, "metadata"))}
            disabled={isNameLocked}
          />
        </Field>
      </fieldset>
      <fieldset className="policy-form__section">
        <legend>Scope</legend>
        <Field
          id="scope-clusters"
          label="Clusters"
          errors={under(messages, "spec.scope.clusters") ?? at("spec.scope")}
        >
          <select
            id="scope-clusters"
            value={form.clusterMode}
            onChange={(event) => {
              const mode = event.target.value;
              if (mode === "all" || mode === "labels" || mode === "names")
                set({ clusterMode: mode satisfies ClusterMode });
            }}
            data-test="scope-cluster-mode"
          >
            <option value="all">Every cluster</option>
            <option value="labels">Clusters with labels</option>
            <option value="names">Clusters by name</option>
          </select>
        </Field>
        {form.clusterMode === "labels" ? (
          <div className="labels-editor" data-test="scope-labels">
            {form.clusterLabels.map((label, index) => (
              // Rows are edited in place; their position is their identity while editing.
              // biome-ignore lint/suspicious/noArrayIndexKey: editable rows
              <div key={index} className="labels-editor__row">
                <input
                  aria-label="Label key"
                  placeholder="env"
                  value={label.key}
                  onChange={(event) =>
                    set({
                      clusterLabels: form.clusterLabels.map((l, i) =>
                        i === index ? { ...l, key: event.target.value } : l,
                      ),
                    })
                  }
                  data-test="scope-label-key"
                />
                <input
                  aria-label="Label value"
                  placeholder="prod"
                  value={label.value}
                  onChange={(event) =>
                    set({
                      clusterLabels: form.clusterLabels.map((l, i) =>
                        i === index ? { ...l, value: event.target.value } : l,
                      ),
                    })
                  }
                  data-test="scope-label-value"
                />
                <Button
                  variant="ghost"
                  size="sm"
                  onClick={() => set({ clusterLabels: form.clusterLabels.filter((_, i) => i !== index) })}
                  disabled={form.clusterLabels.length === 1}
                >
                  Remove
                </Button>
              </div>
            ))}
            <Button
              variant="secondary"
              size="sm"
              onClick={() => set({ clusterLabels: [...form.clusterLabels, { key: "", value: "" }] })}
              data-test="scope-label-add"
            >
              Add label
            </Button>
          </div>
        ) : null}
        {form.clusterMode === "names" ? (
          <Field
            id="scope-cluster-names"
            label="Cluster names"
            hint="Comma-separated"
            errors={under(messages, "spec.scope.clusters.names")}
          >
            <TextInput
              id="scope-cluster-names"
              value={form.clusterNames}
              onChange={(clusterNames) => set({ clusterNames })}
              placeholder="prod-eu, prod-us"
              hasError={Boolean(under(messages, "spec.scope.clusters.names"))}
            />
          </Field>
        ) : null}
        <div className="policy-form__row">
          <Field id="scope-namespace" label="Namespace" errors={at("spec.scope.namespace")}>
            <TextInput
              id="scope-namespace"
              value={form.namespace}
              onChange={(namespace) => set({ namespace })}
              placeholder="bookinfo"
              hasError={Boolean(at("spec.scope.namespace"))}
            />
          </Field>
          <Field id="scope-service" label="Service" errors={at("spec.scope.service")}>
            <TextInput
              id="scope-service"
              value={form.service}
              onChange={(service) => set({ service })}
              placeholder="reviews"
              hasError={Boolean(at("spec.scope.service"))}
            />
          </Field>
          <Field
            id="precedence"
            label="Precedence"
            hint="Optional; higher wins a conflict"
            errors={at("spec.precedence")}
          >
            <TextInput
              id="precedence"
              value={form.precedence}
              onChange={(precedence) => set({ precedence })}
              placeholder="0"
              hasError={Boolean(at("spec.precedence"))}
            />
          </Field>
        </div>
      </fieldset>
      <fieldset className="policy-form__section">
        <legend>Routes</legend>
        <p className="muted">The first route that matches wins; the last should match everything.</p>
        {at("spec.routes") ? <FieldNote messages={at("spec.routes")} test="routes-error" /> : null}
        {form.routes.map((route, index) => (
          <RouteEditor
            // biome-ignore lint/suspicious/noArrayIndexKey: routes are edited in place
            key={index}
            index={index}
            route={route}
            messages={messages}
            onChange={(patch) => setRoute(index, patch)}
            onRemove={
              form.routes.length > 1
                ? () => set({ routes: form.routes.filter((_, i) => i !== index) })
                : undefined
            }
          />
        ))}
        <Button
          variant="secondary"
          size="sm"
          onClick={() => set({ routes: [...form.routes, emptyRoute(`route-${form.routes.length + 1}`)] })}
          data-test="route-add"
        >
          Add route
        </Button>
      </fieldset>
    </div>
  );
}

export function FieldNote({ messages, test }: { messages: string[] | undefined; test: string }): ReactNode {
  const message = messages?.[0];
  if (!message) return null;
  return (
    <p className="sy-field__error" role="alert" data-test={test}>
      {message}
    </p>
  );
}

function RouteEditor({
  index,
  route,
  messages,
  onChange,
  onRemove,
}: {
  index: number;
  route: RouteForm;
  messages: PathMessages;
  onChange: (patch: Partial<RouteForm>) => void;
  onRemove: (() => void) | undefined;
}) {
  const base = `spec.routes.${index}`;
  const id = (field: string) => `route-${index}-${field}`;
  const at = (path: string) => messages[`${base}.${path}`];
  const setDestination = (i: number, patch: Partial<{ version: string; weight: string }>) =>
    onChange({ destinations: route.destinations.map((d, j) => (j === i ? { ...d, ...patch } : d)) });
  const total = route.destinations.reduce((sum, d) => sum + (Number(d.weight) || 0), 0);
  const hasMatch = route.extra.match !== undefined;

  return (
    <div className="route" data-test="route" data-index={index}>
      <div className="policy-form__row">
        <Field id={id("name")} label="Route name" errors={at("name") ?? messages[base]}>
          <TextInput
            id={id("name")}
            value={route.name}
            onChange={(name) => onChange({ name })}
            hasError={Boolean(at("name"))}
          />
        </Field>
        {onRemove ? (
          <div className="route__remove">
            <Button variant="ghost" size="sm" onClick={onRemove} data-test="route-remove">
              Remove route
            </Button>
          </div>
        ) : null}
      </div>
      {hasMatch ? <p className="muted">This route has match conditions; edit them in the YAML tab.</p> : null}
      <div className="destinations" data-test="destinations">
        <span className="sy-field__label">Destinations (by version)</span>
        {route.destinations.map((destination, i) => {
          const versionErrors = at(`destinations.${i}.version`);
          const weightErrors = at(`destinations.${i}.weight`);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: destinations are edited in place
            <div key={i} className="destinations__row" data-test="destination">
              <Field id={id(`version-${i}`)} label="Version" errors={versionErrors}>
                <TextInput
                  id={id(`version-${i}`)}
                  value={destination.version}
                  onChange={(version) => setDestination(i, { version })}
                  placeholder="v1"
                  hasError={Boolean(versionErrors)}
                />
              </Field>
              <Field id={id(`weight-${i}`)} label="Weight %" errors={weightErrors}>
                <TextInput
                  id={id(`weight-${i}`)}
                  value={destination.weight}
                  onChange={(weight) => setDestination(i, { weight })}
                  placeholder={route.destinations.length === 1 ? "100" : ""}
                  hasError={Boolean(weightErrors)}
                />
              </Field>
              <Button
                variant="ghost"
                size="sm"
                disabled={route.destinations.length === 1}
                onClick={() => onChange({ destinations: route.destinations.filter((_, j) => j !== i) })}
              >
                Remove
              </Button>
            </div>
          );
        })}
        <div className="destinations__footer">
          <Button
            variant="secondary"
            size="sm"
            onClick={() => onChange({ destinations: [...route.destinations, { version: "", weight: "" }] })}
            data-test={id("destination-add")}
          >
            Add destination
          </Button>
          {route.destinations.length > 1 ? (
            <span className={total === 100 ? "muted" : "text-warning"} data-test={id("weight-total")}>
              Total {total}%
            </span>
          ) : null}
        </div>
        <FieldNote messages={at("destinations")} test={id("destinations-error")} />
      </div>
      <div className="policy-form__row">
        <Field id={id("timeout")} label="Timeout" hint="e.g. 2s (optional)" errors={at("timeout")}>
          <TextInput
            id={id("timeout")}
            value={route.timeout}
            onChange={(timeout) => onChange({ timeout })}
            hasError={Boolean(at("timeout"))}
          />
        </Field>
        <Field id={id("retry-attempts")} label="Retry attempts" errors={under(messages, `${base}.retries`)}>
          <TextInput
            id={id("retry-attempts")}
            value={route.retryAttempts}
            onChange={(retryAttempts) => onChange({ retryAttempts })}
            hasError={Boolean(under(messages, `${base}.retries`))}
          />
        </Field>
        <Field id={id("retry-per-try")} label="Per-try timeout" hint="e.g. 500ms">
          <TextInput
            id={id("retry-per-try")}
            value={route.retryPerTryTimeout}
            onChange={(retryPerTryTimeout) => onChange({ retryPerTryTimeout })}
            hasError={false}
          />
        </Field>
        <Field id={id("retry-on")} label="Retry on" hint="e.g. 5xx, connect-failure">
          <TextInput
            id={id("retry-on")}
            value={route.retryOn}
            onChange={(retryOn) => onChange({ retryOn })}
            hasError={false}
          />
        </Field>
      </div>
      <div className="policy-form__row">
        <Field
          id={id("delay")}
          label="Fault: delay"
          hint="e.g. 100ms"
          errors={under(messages, `${base}.fault`)}
        >
          <TextInput
            id={id("delay")}
            value={route.delayFixed}
            onChange={(delayFixed) => onChange({ delayFixed })}
            hasError={Boolean(under(messages, `${base}.fault`))}
          />
        </Field>
        <Field id={id("delay-percentage")} label="Delay %">
          <TextInput
            id={id("delay-percentage")}
            value={route.delayPercentage}
            onChange={(delayPercentage) => onChange({ delayPercentage })}
            hasError={false}
          />
        </Field>
        <Field id={id("abort-status")} label="Fault: abort status" hint="e.g. 503">
          <TextInput
            id={id("abort-status")}
            value={route.abortStatus}
            onChange={(abortStatus) => onChange({ abortStatus })}
            hasError={false}
          />
        </Field>
        <Field id={id("abort-percentage")} label="Abort %">
          <TextInput
            id={id("abort-percentage")}
            value={route.abortPercentage}
            onChange={(abortPercentage) => onChange({ abortPercentage })}
            hasError={false}
          />
        </Field>
      </div>
    </div>
  );
}
