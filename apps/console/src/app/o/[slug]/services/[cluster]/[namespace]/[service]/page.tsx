import type { Metadata } from "next";
import { ServiceView } from "./service-view";

type Props = { params: Promise<{ slug: string; cluster: string; namespace: string; service: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { service } = await params;
  return { title: decodeURIComponent(service) };
}

export default async function ServicePage({ params }: Props) {
  const { slug, cluster, namespace, service } = await params;
  return (
    <ServiceView
      slug={decodeURIComponent(slug)}
      cluster={decodeURIComponent(cluster)}
      namespace={decodeURIComponent(namespace)}
      service={decodeURIComponent(service)}
    />
  );
}
