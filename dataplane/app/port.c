/* Port set-up; see port.h. A device is either a PCI address already bound
 * to a DPDK driver ("0000:03:00.0") or a virtual device spec
 * ("net_af_packet0,iface=eth1"), which is probed here so the config file
 * alone says which ports the appliance uses. */
#include "port.h"

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define RX_DESC 1024
#define TX_DESC 1024

/* The ethdev name of a spec: what comes before the first comma. */
static int find_or_probe(const char *spec, uint16_t *port_id, char *err, size_t errlen)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	size_t n = strcspn(spec, ",");
	int rc;

	if (n >= sizeof(name)) {
		errf(err, errlen, "device name too long");
		return -EINVAL;
	}
	memcpy(name, spec, n);
	name[n] = '\0';
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	if (strncmp(name, "net_", 4) == 0) {
		rc = rte_dev_probe(spec);
		if (rc < 0) {
			errf(err, errlen,
			     "cannot create the virtual device (%s): check the "
			     "driver's arguments",
			     rte_strerror(-rc));
			return rc;
		}
		if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
			return 0;
	}
	errf(err, errlen,
	     "no such DPDK port (is the NIC bound to a DPDK driver, or the virtual "
	     "device spec right?)");
	return -ENODEV;
}

static int configure(struct dp_port *p, unsigned int nworkers, char *err, size_t errlen)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	int rc = rte_eth_dev_info_get(p->port_id, &info);

	if (rc < 0) {
		errf(err, errlen, "device info: %s", rte_strerror(-rc));
		return rc;
	}
	/* A queue pair per worker where the device has them. A worker without
	 * an RX queue gets its packets through the hand-off rings; one without
	 * a TX queue hands its frames to the worker that has it (tx.c). */
	p->nb_rxq = (uint16_t)RTE_MIN(nworkers, info.max_rx_queues);
	p->nb_txq = (uint16_t)RTE_MIN(nworkers, info.max_tx_queues);
	if (p->nb_rxq == 0 || p->nb_txq == 0) {
		errf(err, errlen, "the device has no RX or no TX queue");
		return -EINVAL;
	}
	if (p->nb_rxq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
		        info.flow_type_rss_offloads &
		        (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
		if (conf.rx_adv_conf.rss_conf.rss_hf == 0)
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
	}
	rc = rte_eth_dev_configure(p->port_id, p->nb_rxq, p->nb_txq, &conf);
	if (rc < 0)
		errf(err, errlen, "configure: %s", rte_strerror(-rc));
	return rc;
}

static int queues(struct dp_port *p, char *err, size_t errlen)
{
	int socket = rte_eth_dev_socket_id(p->port_id);
	int rc;

	for (uint16_t q = 0; q < p->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, RX_DESC, socket, NULL, dp.mp);
		if (rc < 0) {
			errf(err, errlen, "RX queue %u: %s", q, rte_strerror(-rc));
			return rc;
		}
	}
	for (uint16_t q = 0; q < p->nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->port_id, q, TX_DESC, socket, NULL);
		if (rc < 0) {
			errf(err, errlen, "TX queue %u: %s", q, rte_strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* Our own MAC (interfaces.*.mac) on the device: its address when the
 * device takes one, else one more it receives for (both interfaces on
 * one device with two MACs), else promiscuous (net_pcap and some virtual
 * devices filter nothing anyway). */
static void own_mac(const struct dp_port *p, const char *what, bool primary)
{
	struct rte_ether_addr mac = p->mac;
	int rc = primary ? rte_eth_dev_default_mac_addr_set(p->port_id, &mac)
	                 : rte_eth_dev_mac_addr_add(p->port_id, &mac, 0);

	if (rc < 0 && rte_eth_promiscuous_enable(p->port_id) < 0)
		fprintf(stderr,
		        "aftr-dataplane: interfaces.%s.mac: the device takes neither the "
		        "address nor promiscuous mode (%s)\n",
		        what, rte_strerror(-rc));
}

/* The device's MTU, where it has one: virtual devices often keep their
 * own (net_pcap has none; net_af_packet says 1500 whatever its frame
 * size, and takes frames up to that). Asked only up to the largest the
 * device reports, so that DPDK has no error of its own to log. */
static void set_mtu(const struct dp_port *p, const char *what, uint16_t mtu)
{
	struct rte_eth_dev_info info;
	int rc = rte_eth_dev_info_get(p->port_id, &info);

	if (rc == 0 && info.max_mtu && mtu > info.max_mtu) {
		fprintf(stderr,
		        "aftr-dataplane: interfaces.%s: the device takes an MTU of %u at most; "
		        "it keeps its own (mtu %u is still the interface's: what the device "
		        "delivers up to it is handled)\n",
		        what, info.max_mtu, mtu);
		return;
	}
	rc = rte_eth_dev_set_mtu(p->port_id, mtu);
	if (rc < 0 && rc != -ENOTSUP)
		fprintf(stderr, "aftr-dataplane: interfaces.%s: the port keeps its MTU (%s)\n",
		        what, rte_strerror(-rc));
}

int port_share(struct dp_port *p, const struct dp_port *with, const char *what,
               const struct cfg_iface *iface)
{
	*p = *with;
	p->shared = true;
	p->mtu = iface->mtu;
	p->vlan = iface->vlan;
	if (iface->has_mac && !rte_is_same_ether_addr(&with->mac, (const void *)iface->mac)) {
		memcpy(p->mac.addr_bytes, iface->mac, RTE_ETHER_ADDR_LEN);
		own_mac(p, what, false);
	}
	/* The device takes the larger of the two MTUs. */
	if (p->mtu > with->mtu)
		set_mtu(p, what, p->mtu);
	return 0;
}

int port_setup(struct dp_port *p, const char *what, const struct cfg_iface *iface,
               unsigned int nworkers, char *err, size_t errlen)
{
	uint32_t room = rte_pktmbuf_data_room_size(dp.mp) - RTE_PKTMBUF_HEADROOM;
	char why[256] = "";
	int rc;

	if (iface->device == NULL) {
		errf(err, errlen, "interfaces.%s.device: required to run the dataplane", what);
		return -EINVAL;
	}
	/* One buffer per frame (app.c sizes them for the larger MTU). */
	if ((uint32_t)iface->mtu + DP_FRAME_EXTRA > room) {
		errf(err, errlen, "interfaces.%s.mtu: %u is above %u, the most the buffers hold",
		     what, iface->mtu, room - DP_FRAME_EXTRA);
		return -EINVAL;
	}
	rc = find_or_probe(iface->device, &p->port_id, why, sizeof(why));
	if (rc == 0)
		rc = configure(p, nworkers, why, sizeof(why));
	if (rc == 0)
		rc = queues(p, why, sizeof(why));
	if (rc == 0 && (rc = rte_eth_dev_start(p->port_id)) < 0)
		errf(why, sizeof(why), "start: %s", rte_strerror(-rc));
	if (rc == 0)
		rc = rte_eth_macaddr_get(p->port_id, &p->mac);
	if (rc < 0) {
		errf(err, errlen, "interfaces.%s (%s): %s", what, iface->device, why);
		return rc;
	}
	p->mtu = iface->mtu;
	p->vlan = iface->vlan;
	if (iface->has_mac) {
		memcpy(p->mac.addr_bytes, iface->mac, RTE_ETHER_ADDR_LEN);
		own_mac(p, what, true);
	}
	set_mtu(p, what, iface->mtu);
	/* Frames for our pool addresses carry our MAC, but ND and ARP use
	 * multicast and broadcast: accept them all. */
	rte_eth_allmulticast_enable(p->port_id);
	return 0;
}

void port_close(struct dp_port *p)
{
	rte_eth_dev_stop(p->port_id);
	rte_eth_dev_close(p->port_id);
}
