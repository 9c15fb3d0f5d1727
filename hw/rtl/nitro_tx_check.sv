// nitro_tx_check: the TX lookup's header checks (docs/card-semantics.md TX 1-5, ARP 1-4, IPv4 1-6) in spec
// order, the first failure deciding the drop reason; the IPv4 header checks are nitro_ipv4_check's. What the
// later stages decide (the ARP answer, the mapping, routes and ACLs) is not here. Combinational, in T1.
module nitro_tx_check #(
  parameter int IP_MTU = 9001   // largest IPv4 total length an instance may send
) (
  input  logic [335:0] hdr,         // frame bytes 0..41 (0 past the end; byte k in bits [8k+7:8k])
  input  logic [15:0]  len,         // frame length
  input  logic         eni_valid,   // the sender's ENI entry (E)
  input  logic         eni_sdc,
  input  logic [47:0]  eni_mac,
  input  logic [31:0]  eni_ip,
  output logic         is_arp,      // ethertype 0x0806
  output logic         is_ip,       // ethertype 0x0800
  output logic         drop,        // a check failed ...
  output logic [3:0]   reason       // ... with this DropReason
);

  localparam int MAX_FRAME = 14 + IP_MTU;

  logic [47:0] sha;
  logic [31:0] spa, tpa, ip_src;
  logic [7:0]  ttl;
  logic        ip_bad, ip_unsup;

  assign is_arp = `NB16(hdr, 12) == 16'h0806;
  assign is_ip  = `NB16(hdr, 12) == 16'h0800;
  assign sha    = `NB48(hdr, 22);
  assign spa    = `NB32(hdr, 28);
  assign tpa    = `NB32(hdr, 38);
  assign ttl    = `NB8(hdr, 22);
  assign ip_src = `NB32(hdr, 26);

  // IPv4 steps 1-4: version, IHL, checksum, total length
  nitro_ipv4_check u_ip_check (
    .ip          (hdr[8*14 +: 160]),
    .frame_len   (17'(len)),
    .bad         (ip_bad),
    .unsupported (ip_unsup)
  );

  always_comb begin
    drop   = 1'b1;
    reason = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
    if (len > 16'(MAX_FRAME))                     reason = 4'(nitro_regs_pkg::DROP_MTU_EXCEEDED);
    else if (len < 16'd14)                        reason = 4'(nitro_regs_pkg::DROP_MALFORMED);
    else if (!eni_valid)                          reason = 4'(nitro_regs_pkg::DROP_SOURCE_CHECK);
    else if (`NB48(hdr, 6) != eni_mac)             reason = 4'(nitro_regs_pkg::DROP_SOURCE_CHECK);
    else if (is_arp) begin
      if (len < 16'd42 || `NB16(hdr, 14) != 16'h0001 || `NB16(hdr, 16) != 16'h0800
          || `NB8(hdr, 18) != 8'd6 || `NB8(hdr, 19) != 8'd4)
                                                       reason = 4'(nitro_regs_pkg::DROP_MALFORMED);
      else if (`NB16(hdr, 20) != 16'h0001)          reason = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
      else if (sha != eni_mac || (spa != eni_ip && spa != 32'h0))
                                                       reason = 4'(nitro_regs_pkg::DROP_SOURCE_CHECK);
      else if (tpa == eni_ip)                         reason = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
      else                                             drop   = 1'b0;
    end else if (is_ip) begin
      if (ip_bad)                                      reason = ip_unsup ? 4'(nitro_regs_pkg::DROP_UNSUPPORTED)
                                                                             : 4'(nitro_regs_pkg::DROP_MALFORMED);
      else if (eni_sdc && ip_src != eni_ip)          reason = 4'(nitro_regs_pkg::DROP_SOURCE_CHECK);
      else if (ttl == 8'd0)                            reason = 4'(nitro_regs_pkg::DROP_TTL_EXPIRED);
      else                                             drop   = 1'b0;
    end
  end

  logic unused_bytes;
  assign unused_bytes = ^{hdr[0 +: 48], hdr[8*34 +: 32]};   // destination MAC; IPv4 bytes past the header

endmodule
