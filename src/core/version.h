/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * version.h - the one release version of eesp (not the wire format's
 * EESP_VERSION of eesp_proto.h): eespd -V, eespctl -V, eespd's
 * status line and the Wireshark plugin print it; the manual pages and the
 * README quote it (tests/cli/16_usage_version.sh checks that they agree).
 */
#ifndef EESP_VERSION_H
#define EESP_VERSION_H

#define EESP_RELEASE "0.2"

#endif /* EESP_VERSION_H */
