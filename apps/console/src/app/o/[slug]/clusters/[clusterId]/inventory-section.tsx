"use client";

import { Banner } from "@switchyard/ui/banner";
import { EmptyState } from "@switchyard/ui/empty-state";
import { Skeleton } from "@switchyard/ui/skeleton";
import { Table, type TableColumn } from "@switchyard/ui/table";
import { Tabs } from "@switchyard/ui/tabs";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { messageOf } from "~/lib/api-errors";
import { formatPort, namespaceData, serviceData, workloadData } from "~/lib/inventory-items";
import { type RouterOutputs, useTRPC } from "~/lib/trpc";
import { useDebouncedValue } from "~/lib/use-debounced-value";

type Item = RouterOutputs["clusters"]["inventory"]["items"][number];
type Kind = "Namespace" | "Service" | "Workload";
type Counts = RouterOutputs["clusters"]["get"]["counts"];

// The API's maximum page; a cluster with more shows the first ones and says how many matched.
const pageLimit = 500;
const inventoryRefetchMs = 10_000;

function yesNo(value: boolean | null, yes: string, no: string) {
  if (value === null) return <span className="muted">unknown</span>;
  return value ? (
    <span className="badge badge--ok">{yes}</span>
  ) : (
    <span className="badge badge--warning">{no}</span>
  );
}

const namespaceColumns: TableColumn<Item>[] = [
  { key: "name", header: "Namespace", cell: (item) => <span data-test="inventory-name">{item.name}</span> },
  {
    key: "injection",
    header: "Sidecar injection",
    cell: (item) => {
      const data = namespaceData.safeParse(item.data);
      return yesNo(data.success ? data.data.sidecarInjection : null, "On", "Off");
    },
  },
  {
    key: "pods",
    header: "Pods",
    align: "right",
    cell: (item) => {
      const data = namespaceData.safeParse(item.data);
      return data.success ? (data.data.podCount ?? "—") : "—";
    },
  },
];

const serviceColumns: TableColumn<Item>[] = [
  { key: "name", header: "Service", cell: (item) => <span data-test="inventory-name">{item.name}</span> },
  { key: "namespace", header: "Namespace", cell: (item) => item.namespace },
  {
    key: "type",
    header: "Type",
    cell: (item) => {
      const data = serviceData.safeParse(item.data);
      return data.success ? data.data.type : "—";
    },
  },
  {
    key: "ports",
    header: "Ports",
    cell: (item) => {
      const data = serviceData.safeParse(item.data);
      if (!data.success || data.data.ports.length === 0) return <span className="muted">none</span>;
      return <code>{data.data.ports.map(formatPort).join(", ")}</code>;
    },
  },
];

const workloadColumns: TableColumn<Item>[] = [
  { key: "name", header: "Workload", cell: (item) => <span data-test="inventory-name">{item.name}</span> },
  { key: "namespace", header: "Namespace", cell: (item) => item.namespace },
  { key: "kind", header: "Kind", cell: (item) => item.kind },
  {
    key: "app",
    header: "App / version",
    cell: (item) => {
      const data = workloadData.safeParse(item.data);
      if (!data.success) return "—";
      return `${data.data.app ?? "—"} / ${data.data.version ?? "—"}`;
    },
  },
  {
    key: "ready",
    header: "Ready",
    align: "right",
    cell: (item) => {
      const data = workloadData.safeParse(item.data);
      if (!data.success) return "—";
      const { readyReplicas, replicas } = data.data;
      const isDegraded = readyReplicas !== null && replicas !== null && readyReplicas < replicas;
      return (
        <span className={isDegraded ? "text-warning" : undefined} data-test="workload-ready">
          {readyReplicas ?? "?"}/{replicas ?? "?"}
        </span>
      );
    },
  },
  {
    key: "sidecar",
    header: "Sidecar",
    cell: (item) => {
      const data = workloadData.safeParse(item.data);
      // Not injected means this workload is outside the mesh: no mTLS, no policy. Worth a warning.
      return (
        <span data-test="workload-sidecar">
          {yesNo(data.success ? data.data.sidecarInjected : null, "Injected", "Not injected")}
        </span>
      );
    },
  },
];

const columnsByKind: Record<Kind, TableColumn<Item>[]> = {
  Namespace: namespaceColumns,
  Service: serviceColumns,
  Workload: workloadColumns,
};

const nouns: Record<Kind, [string, string]> = {
  Namespace: ["namespace", "namespaces"],
  Service: ["service", "services"],
  Workload: ["workload", "workloads"],
};

export function InventorySection({
  slug,
  clusterId,
  counts,
  isPending,
}: {
  slug: string;
  clusterId: string;
  counts: Counts;
  /** A cluster whose agent never connected has no inventory to show yet. */
  isPending: boolean;
}) {
  const trpc = useTRPC();
  const [kind, setKind] = useState<Kind>("Workload");
  const [search, setSearch] = useState("");
  const [namespace, setNamespace] = useState("");
  const debouncedSearch = useDebouncedValue(search.trim(), 300);

  const namespaces = useQuery(
    trpc.clusters.inventory.queryOptions(
      { orgSlug: slug, clusterId, kind: "Namespace", limit: 1000 },
      { enabled: !isPending, refetchInterval: inventoryRefetchMs },
    ),
  );
  const items = useQuery(
    trpc.clusters.inventory.queryOptions(
      {
        orgSlug: slug,
        clusterId,
        kind,
        limit: pageLimit,
        ...(debouncedSearch ? { search: debouncedSearch } : {}),
        ...(namespace && kind !== "Namespace" ? { namespace } : {}),
      },
      // Keep the rows on screen while a new search runs, instead of flashing a skeleton per keystroke.
      { enabled: !isPending, refetchInterval: inventoryRefetchMs, placeholderData: keepPreviousData },
    ),
  );

  const isFiltered = Boolean(debouncedSearch) || (Boolean(namespace) && kind !== "Namespace");
  const [singular, plural] = nouns[kind];

  return (
    <section className="card" data-test="inventory">
      <Tabs
        label="Inventory"
        selected={kind}
        onSelect={setKind}
        tabs={[
          { id: "Namespace", label: "Namespaces", count: counts.namespaces },
          { id: "Service", label: "Services", count: counts.services },
          { id: "Workload", label: "Workloads", count: counts.workloads },
        ]}
        data-test="inventory-tabs"
      />
      <div className="inventory-filters">
        <input
          type="search"
          className="sy-input inventory-filters__search"
          aria-label={`Search ${plural}`}
          placeholder={`Search ${plural} by name or namespace`}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          data-test="inventory-search"
        />
        {kind !== "Namespace" ? (
          <select
            className="sy-input"
            aria-label="Namespace"
            value={namespace}
            onChange={(event) => setNamespace(event.target.value)}
            data-test="inventory-namespace"
          >
            <option value="">All namespaces</option>
            {namespaces.data?.items.map((item) => (
              <option key={item.name} value={item.name}>
                {item.name}
              </option>
            ))}
          </select>
        ) : null}
        {items.isFetching && !items.isPending ? <span className="sy-spinner" aria-hidden="true" /> : null}
      </div>
      {isPending ? (
        <EmptyState
          title="No inventory yet"
          description="Namespaces, services and workloads appear once the agent is running in the cluster."
          data-test="inventory-waiting"
        />
      ) : items.isPending ? (
        <Skeleton lines={5} height="20px" data-test="inventory-loading" />
      ) : items.isError && !items.data ? (
        <Banner
          tone="error"
          title="Inventory could not be loaded"
          onRetry={() => items.refetch()}
          data-test="inventory-error"
        >
          {messageOf(items.error)}
        </Banner>
      ) : items.data.items.length === 0 ? (
        <EmptyState
          title={isFiltered ? `No ${plural} match` : `No ${plural} reported`}
          description={
            isFiltered
              ? "Try another search or namespace."
              : `The agent has not reported any ${plural} in this cluster.`
          }
          data-test="inventory-empty"
        />
      ) : (
        <>
          <Table
            columns={columnsByKind[kind]}
            rows={items.data.items}
            rowKey={(item) => `${item.kind}/${item.namespace}/${item.name}`}
            rowTest={() => "inventory-row"}
            caption={plural}
            data-test="inventory-table"
          />
          <p className="muted inventory-total" data-test="inventory-total">
            {items.data.total > items.data.items.length
              ? `Showing ${items.data.items.length} of ${items.data.total} ${plural}; narrow the search to see others.`
              : `${items.data.total} ${items.data.total === 1 ? singular : plural}`}
          </p>
        </>
      )}
    </section>
  );
}
