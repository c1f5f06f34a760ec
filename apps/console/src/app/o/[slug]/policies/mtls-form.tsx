"use client";

import { Field } from "@switchyard/ui/field";
import {
  ClusterScopeFields,
  type FormProps,
  LabelsEditor,
  NameSection,
  type PathMessages,
  SelectInput,
  TextField,
  under,
  unshownFor,
} from "./form-parts";
import type { MtlsForm, MtlsLevel, MtlsMode, WorkloadBy } from "./mtls-form-model";

const shownPaths = [
  /^metadata(\.name)?$/,
  /^spec\.scope(\.(clusters(\..*)?|namespace|workload(\..*)?))?$/,
  /^spec\.precedence$/,
  /^spec\.mode$/,
];

export function unshownMtlsMessages(messages: PathMessages): string[] {
  return unshownFor(shownPaths, messages);
}

const levelOptions = [
  ["clusters", "Whole clusters"],
  ["namespace", "One namespace"],
  ["workload", "Workloads in a namespace"],
] as const satisfies readonly (readonly [MtlsLevel, string])[];

const levelHints: Record<MtlsLevel, string> = {
  clusters: "sy-mtls in istio-system of each selected cluster",
  namespace: "sy-mtls in the namespace",
  workload: "sy-mtls-<service> with a selector",
};

const modeOptions = [
  ["strict", "Strict: mTLS only"],
  ["permissive", "Permissive: mTLS and plaintext"],
  ["disable", "Disable: plaintext"],
] as const satisfies readonly (readonly [MtlsMode, string])[];

const workloadOptions = [
  ["service", "By service"],
  ["labels", "By labels"],
] as const satisfies readonly (readonly [WorkloadBy, string])[];

export function MtlsPolicyForm({ form, onChange, messages, isNameLocked }: FormProps<MtlsForm>) {
  const set = (patch: Partial<MtlsForm>) => onChange({ ...form, ...patch });
  const workloadErrors = under(messages, "spec.scope.workload");
  return (
    <div className="policy-form" data-test="mtls-form">
      <NameSection
        name={form.name}
        onChange={(name) => set({ name })}
        messages={messages}
        isNameLocked={isNameLocked}
        placeholder="org-strict"
      />
      <fieldset className="policy-form__section">
        <legend>Scope</legend>
        <ClusterScopeFields
          scope={form.clusters}
          onChange={(patch) => set({ clusters: { ...form.clusters, ...patch } })}
          messages={messages}
        />
        <div className="policy-form__row">
          <Field id="mtls-level" label="Applies to" hint={levelHints[form.level]}>
            <SelectInput
              id="mtls-level"
              value={form.level}
              options={levelOptions}
              onChange={(level) => set({ level })}
              hasError={false}
            />
          </Field>
          {form.level !== "clusters" ? (
            <TextField
              id="scope-namespace"
              label="Namespace"
              value={form.namespace}
              onChange={(namespace) => set({ namespace })}
              messages={messages}
              path="spec.scope.namespace"
              placeholder="shop"
            />
          ) : null}
          {form.level === "workload" ? (
            <Field id="workload-by" label="Workloads" errors={workloadErrors}>
              <SelectInput
                id="workload-by"
                value={form.workloadBy}
                options={workloadOptions}
                onChange={(workloadBy) => set({ workloadBy })}
                hasError={Boolean(workloadErrors)}
              />
            </Field>
          ) : null}
          {form.level === "workload" && form.workloadBy === "service" ? (
            <TextField
              id="workload-service"
              label="Service"
              value={form.workloadService}
              onChange={(workloadService) => set({ workloadService })}
              messages={messages}
              path="spec.scope.workload.service"
              placeholder="cart"
            />
          ) : null}
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
        {form.level === "workload" && form.workloadBy === "labels" ? (
          <LabelsEditor
            rows={form.workloadLabels}
            onChange={(workloadLabels) => set({ workloadLabels })}
            test="workload-label"
            keyPlaceholder="app"
            valuePlaceholder="metrics-exporter"
          />
        ) : null}
        {form.level === "clusters" && form.clusters.clusterMode === "all" ? (
          <p className="muted">No scope: the whole organization, every cluster.</p>
        ) : null}
      </fieldset>
      <fieldset className="policy-form__section">
        <legend>mTLS</legend>
        <Field id="mtls-mode" label="Mode" errors={messages["spec.mode"]} hint="The more specific level wins">
          <SelectInput
            id="mtls-mode"
            value={form.mode}
            options={modeOptions}
            onChange={(mode) => set({ mode })}
            hasError={Boolean(messages["spec.mode"])}
          />
        </Field>
      </fieldset>
    </div>
  );
}
