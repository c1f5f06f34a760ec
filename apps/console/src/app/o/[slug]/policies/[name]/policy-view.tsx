"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { Dialog } from "@switchyard/ui/dialog";
import { Field } from "@switchyard/ui/field";
import { Skeleton } from "@switchyard/ui/skeleton";
import { Tabs } from "@switchyard/ui/tabs";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Form } from "~/components/form";
import { errorCodeOf, fieldErrorsOf, formErrorOf, messageOf } from "~/lib/api-errors";
import { useTRPC, useTRPCClient } from "~/lib/trpc";
import { useOrganization } from "~/lib/use-organization";
import { ApplyProgress, type ApplyTarget } from "../apply-progress";
import { PolicyEditor } from "../policy-editor";
import { SyncChips } from "../sync-chips";
import { targetsOf } from "./apply-targets";
import { PolicyHistory } from "./policy-history";

type TabId = "editor" | "history";

export function PolicyView({ slug, name }: { slug: string; name: string }) {
  const [deleted, setDeleted] = useState<ApplyTarget[] | null>(null);
  const policiesHref = `/o/${encodeURIComponent(slug)}/policies`;
  // Once deleted, the policy's queries (now "not found") unmount; only the delete's progress stays.
  if (deleted) {
    return (
      <div className="page" data-test="policy-deleted">
        <div>
          <Link href={policiesHref} className="breadcrumb">
            ← Policies
          </Link>
        </div>
        <h1 className="page__title">{name} was deleted</h1>
        <ApplyProgress slug={slug} targets={deleted} title={`Removing ${name} from its clusters`} />
      </div>
    );
  }
  return <PolicyDetail slug={slug} name={name} onDeleted={setDeleted} />;
}

function PolicyDetail({
  slug,
  name,
  onDeleted,
}: {
  slug: string;
  name: string;
  onDeleted: (targets: ApplyTarget[]) => void;
}) {
  const organization = useOrganization(slug);
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const policy = useQuery(trpc.policies.get.queryOptions({ orgSlug: slug, name }));
  const list = useQuery(trpc.policies.list.queryOptions({ orgSlug: slug }, { refetchInterval: 5000 }));
  const [tab, setTab] = useState<TabId>("editor");
  const [isDeleting, setIsDeleting] = useState(false);
  const [deleteReason, setDeleteReason] = useState("");
  const remove = useMutation({
    mutationFn: async (reason: string) => {
      const targets = await targetsOf(client, slug, { deletions: [name] });
      await client.policies.delete.mutate({ orgSlug: slug, name, reason });
      return targets;
    },
    onSuccess(targets) {
      queryClient.removeQueries({ queryKey: trpc.policies.get.queryKey({ orgSlug: slug, name }) });
      void queryClient.invalidateQueries({ queryKey: trpc.policies.list.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.policies.history.pathKey() });
      onDeleted(targets);
    },
  });
  const policiesHref = `/o/${encodeURIComponent(slug)}/policies`;

  if (policy.isPending || !organization.data) {
    return (
      <div className="page" data-test="policy-loading">
        <Skeleton lines={1} height="28px" width="40%" />
        <Skeleton lines={6} />
      </div>
    );
  }
  if (policy.isError) {
    const isNotFound = errorCodeOf(policy.error) === "NOT_FOUND";
    return (
      <div className="page">
        <Banner
          tone="error"
          title={isNotFound ? "Policy not found" : "This policy could not be loaded"}
          onRetry={isNotFound ? undefined : () => policy.refetch()}
          data-test="policy-error"
        >
          {isNotFound ? "It may have been deleted." : messageOf(policy.error)}{" "}
          <Link href={policiesHref}>Go to policies</Link>
        </Banner>
      </div>
    );
  }
  const data = policy.data;
  const canEdit = organization.data.capabilities.canEditPolicies;
  const row = list.data?.find((item) => item.name === name);

  return (
    <div className="page" data-test="policy-page">
      <div>
        <Link href={policiesHref} className="breadcrumb">
          ← Policies
        </Link>
      </div>
      <div className="page__header">
        <div>
          <h1 className="page__title">
            <span data-test="policy-title">{data.name}</span> <span className="badge">{data.kind}</span>
          </h1>
          <p className="page__subtitle">
            Revision <span data-test="policy-current-revision">{data.revision}</span> · {data.scope.summary} ·
            by {data.updatedBy} {row ? <SyncChips counts={row.counts} total={row.clusters.length} /> : null}
          </p>
        </div>
        {canEdit ? (
          <div className="form-actions">
            <Button
              variant="danger"
              onClick={() => {
                remove.reset();
                setIsDeleting(true);
              }}
              data-test="delete-policy"
            >
              Delete policy
            </Button>
          </div>
        ) : null}
      </div>
      <Tabs
        label="Policy"
        tabs={[
          { id: "editor", label: canEdit ? "Edit" : "YAML" },
          { id: "history", label: "History", count: data.revision },
        ]}
        selected={tab}
        onSelect={setTab}
        data-test="policy-tabs"
      />
      {tab === "editor" ? (
        canEdit ? (
          // Not keyed by revision: the apply progress under the editor must outlive the refetch it causes.
          <PolicyEditor slug={slug} existing={{ name: data.name, kind: data.kind, yaml: data.yaml }} />
        ) : (
          <section className="card">
            <pre className="code-block__code" data-test="policy-yaml-readonly">
              {data.yaml}
            </pre>
          </section>
        )
      ) : (
        <PolicyHistory slug={slug} name={name} currentRevision={data.revision} canEdit={canEdit} />
      )}
      {canEdit ? (
        <Dialog
          isOpen={isDeleting}
          title={`Delete ${data.name}?`}
          onClose={() => setIsDeleting(false)}
          data-test="delete-dialog"
        >
          <Form
            className="confirm"
            onSubmit={(event) => {
              event.preventDefault();
              remove.mutate(deleteReason.trim());
            }}
          >
            <p>Its Istio resources are pruned from every cluster. The history stays.</p>
            <Field id="delete-reason" label="Reason" errors={fieldErrorsOf(remove.error).reason}>
              <input
                id="delete-reason"
                value={deleteReason}
                onChange={(event) => setDeleteReason(event.target.value)}
                data-test="delete-reason"
              />
            </Field>
            {formErrorOf(remove.error, ["reason"]) ? (
              <Banner tone="error" data-test="delete-error">
                {formErrorOf(remove.error, ["reason"])}
              </Banner>
            ) : null}
            <div className="form-actions">
              <Button variant="secondary" onClick={() => setIsDeleting(false)}>
                Cancel
              </Button>
              <Button
                type="submit"
                variant="danger"
                isPending={remove.isPending}
                disabled={deleteReason.trim() === ""}
                data-test="delete-confirm"
              >
                Delete policy
              </Button>
            </div>
          </Form>
        </Dialog>
      ) : null}
    </div>
  );
}
