"use client";

// Pieces the per-kind policy forms share: the cluster scope, a label map editor, select inputs,
// and the list of messages no field shows. Markup, classes and data-test names follow the
// TrafficPolicy form.
import { Button } from "@switchyard/ui/button";
import { Field } from "@switchyard/ui/field";
import type { ReactNode } from "react";
import type { ClusterScopeForm, LabelRow } from "./form-model-common";
import { type PathMessages, TextInput, under } from "./traffic-form";

export { FieldNote, type PathMessages, TextInput, under } from "./traffic-form";

/** Messages whose path none of `shownPaths` matches, for the form to list at its top. */
export function unshownFor(shownPaths: readonly RegExp[], messages: PathMessages): string[] {
  return Object.entries(messages)
    .filter(([key]) => !shownPaths.some((pattern) => pattern.test(key)))
    .flatMap(([key, list]) => list.map((message) => (key ? `${key}: ${message}` : message)));
}

export type FormProps<F> = {
  form: F;
  onChange: (form: F) => void;
  messages: PathMessages;
  isNameLocked: boolean;
};

export function SelectInput<T extends string>({
  id,
  value,
  options,
  onChange,
  hasError,
}: {
  id: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onChange: (value: T) => void;
  hasError: boolean;
}) {
  return (
    <select
      id={id}
      value={value}
      onChange={(event) => {
        const option = options.find(([option]) => option === event.target.value);
        if (option) onChange(option[0]);
      }}
      aria-invalid={hasError}
      aria-describedby={hasError ? `${id}-error` : undefined}
      data-test={id}
    >
      {options.map(([option, label]) => (
        <option key={option} value={option}>
          {label}
        </option>
      ))}
    </select>
  );
}

export function NameSection({
  name,
  onChange,
  messages,
  isNameLocked,
  placeholder,
}: {
  name: string;
  onChange: (name: string) => void;
  messages: PathMessages;
  isNameLocked: boolean;
  placeholder: string;
}) {
  return (
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
          value={name}
          onChange={onChange}
          placeholder={placeholder}
          hasError={Boolean(under(messages, "metadata"))}
          disabled={isNameLocked}
        />
      </Field>
    </fieldset>
  );
}

export function LabelsEditor({
  rows,
  onChange,
  test,
  keyPlaceholder,
  valuePlaceholder,
}: {
  rows: LabelRow[];
  onChange: (rows: LabelRow[]) => void;
  test: string;
  keyPlaceholder: string;
  valuePlaceholder: string;
}) {
  const setRow = (index: number, patch: Partial<LabelRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <div className="labels-editor" data-test={`${test}s`}>
      {rows.map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: editable rows
        <div key={index} className="labels-editor__row">
          <input
            aria-label="Label key"
            placeholder={keyPlaceholder}
            value={row.key}
            onChange={(event) => setRow(index, { key: event.target.value })}
            data-test={`${test}-key`}
          />
          <input
            aria-label="Label value"
            placeholder={valuePlaceholder}
            value={row.value}
            onChange={(event) => setRow(index, { value: event.target.value })}
            data-test={`${test}-value`}
          />
          <Button
            variant="ghost"
            size="sm"
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
            disabled={rows.length === 1}
          >
            Remove
          </Button>
        </div>
      ))}
      <Button
        variant="secondary"
        size="sm"
        onClick={() => onChange([...rows, { key: "", value: "" }])}
        data-test={`${test}-add`}
      >
        Add label
      </Button>
    </div>
  );
}

/** Which clusters: every one, by labels or by names (`spec.scope.clusters`). */
export function ClusterScopeFields({
  scope,
  onChange,
  messages,
}: {
  scope: ClusterScopeForm;
  onChange: (patch: Partial<ClusterScopeForm>) => void;
  messages: PathMessages;
}) {
  return (
    <>
      <Field
        id="scope-clusters"
        label="Clusters"
        errors={under(messages, "spec.scope.clusters") ?? messages["spec.scope"]}
      >
        <select
          id="scope-clusters"
          value={scope.clusterMode}
          onChange={(event) => {
            const mode = event.target.value;
            if (mode === "all" || mode === "labels" || mode === "names") onChange({ clusterMode: mode });
          }}
          data-test="scope-cluster-mode"
        >
          <option value="all">Every cluster</option>
          <option value="labels">Clusters with labels</option>
          <option value="names">Clusters by name</option>
        </select>
      </Field>
      {scope.clusterMode === "labels" ? (
        <LabelsEditor
          rows={scope.clusterLabels}
          onChange={(clusterLabels) => onChange({ clusterLabels })}
          test="scope-label"
          keyPlaceholder="env"
          valuePlaceholder="prod"
        />
      ) : null}
      {scope.clusterMode === "names" ? (
        <Field
          id="scope-cluster-names"
          label="Cluster names"
          hint="Comma-separated"
          errors={under(messages, "spec.scope.clusters.names")}
        >
          <TextInput
            id="scope-cluster-names"
            value={scope.clusterNames}
            onChange={(clusterNames) => onChange({ clusterNames })}
            placeholder="prod-eu, prod-us"
            hasError={Boolean(under(messages, "spec.scope.clusters.names"))}
          />
        </Field>
      ) : null}
    </>
  );
}

/** A text input in a Field, with the messages at `path` (and under it, when `deep`). */
export function TextField({
  id,
  label,
  value,
  onChange,
  messages,
  path,
  deep,
  hint,
  placeholder,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  messages: PathMessages;
  path: string;
  deep?: boolean;
  hint?: string;
  placeholder?: string;
}) {
  const errors = deep ? under(messages, path) : messages[path];
  return (
    <Field id={id} label={label} hint={hint} errors={errors}>
      <TextInput
        id={id}
        value={value}
        onChange={onChange}
        placeholder={placeholder}
        hasError={Boolean(errors)}
      />
    </Field>
  );
}

/**
 * The scope of a policy for one service: which clusters, then namespace and service, with the
 * kind's own fields (precedence, action, ...) in the same row as `children`.
 */
export function ServiceScopeSection({
  clusters,
  namespace,
  service,
  onChange,
  messages,
  servicePlaceholder,
  serviceHint,
  children,
}: {
  clusters: ClusterScopeForm;
  namespace: string;
  service: string;
  onChange: (patch: { clusters?: ClusterScopeForm; namespace?: string; service?: string }) => void;
  messages: PathMessages;
  servicePlaceholder: string;
  serviceHint?: string;
  children?: ReactNode;
}) {
  return (
    <fieldset className="policy-form__section">
      <legend>Scope</legend>
      <ClusterScopeFields
        scope={clusters}
        onChange={(patch) => onChange({ clusters: { ...clusters, ...patch } })}
        messages={messages}
      />
      <div className="policy-form__row">
        <TextField
          id="scope-namespace"
          label="Namespace"
          value={namespace}
          onChange={(value) => onChange({ namespace: value })}
          messages={messages}
          path="spec.scope.namespace"
          placeholder="shop"
        />
        <TextField
          id="scope-service"
          label="Service"
          {...(serviceHint === undefined ? {} : { hint: serviceHint })}
          value={service}
          onChange={(value) => onChange({ service: value })}
          messages={messages}
          path="spec.scope.service"
          placeholder={servicePlaceholder}
        />
        {children}
      </div>
    </fieldset>
  );
}

/** The optional precedence that decides conflicts between policies on the same host. */
export function PrecedenceField({
  value,
  onChange,
  messages,
}: {
  value: string;
  onChange: (value: string) => void;
  messages: PathMessages;
}) {
  return (
    <TextField
      id="precedence"
      label="Precedence"
      hint="Optional; higher wins a conflict"
      value={value}
      onChange={onChange}
      messages={messages}
      path="spec.precedence"
      placeholder="0"
    />
  );
}
