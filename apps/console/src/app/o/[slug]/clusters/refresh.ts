/** How often cluster status is polled: often enough that "pending → connected" shows while the user waits. */
export const clusterRefetchMs = 5_000;
