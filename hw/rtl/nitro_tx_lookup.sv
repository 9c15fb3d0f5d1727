// nitro_tx_lookup: TX decision pipeline, one header per cycle, fixed latency, no internal stalls.
//   pop : header FIFO head; ENI read by slot        -> T1
//   T1  : header checks (spec TX 1-5, ARP 1-4, IPv4 1-6: nitro_tx_check), CRC-32C/CRC-32 of
//         the mapping key, flow hash, filter fields (nitro_l4_fields);
//         starts the route lookup (E.ROUTE_TABLE, destination) and the egress ACL of E
//         (nitro_route_lookup, nitro_nacl)              -> T2
//   T2  : mapping port A address (the key's bucket in both ways) -> T3 (memory data arrives)
//   T3  : compare every slot of both buckets (nitro_map_match), mapping decision; reads the
//         ENI of the local receiver L (second ENI port)  -> T4
//   T4  : starts the ingress ACL of L; the record waits (nitro_delay) until the route and
//         ACL results arrive                            -> TC
//   TC  : combine (docs/card-filtering.md TX 7-10: route kind, mapping, egress ACL, ingress
//         ACL of L) into the action and the security group ops -> TF
//   TF  : build the first output beat (nitro_tx_beat: rewritten MACs, ARP reply or 50-byte
//         outer header + inner bytes 0..13) and push the record (a ctRec holding a txPay,
//         nitro_regs_pkg) to the connection tracking stage (nitro_conntrack), which makes the
//         final decision.
// Latency pop -> record: TC + 1 = 16 cycles at the default parameters.
// A header is admitted only when the decision FIFO has room for it and everything in flight
// (dec_space counts what the later stages hold), and never while the table engine freezes
// the pipelines.
module nitro_tx_lookup #(
  parameter int NUM_ENI            = 64,    // ENI slots
  parameter int MAP_WAY_DEPTH_LOG2 = 15,    // entries per way (log2)
  parameter int MAP_BUCKET_SLOTS_LOG2 = 2,  // entries per bucket (log2)
  parameter int IP_MTU             = 9001,  // largest IPv4 total length an instance may send
  parameter int DEC_SPACE_W        = 6,     // width of the decision FIFO free-space count (32 entries)
  parameter int MAP_W              = 146,   // mapping entry bits
  parameter int ROUTE_LEVELS       = 12,    // route bank: 2**ROUTE_LEVELS - 1 intervals
  parameter int NUM_NACL           = 16,    // network ACLs
  parameter int NACL_RULES         = 40,    // rules per ACL and direction
  parameter int REC_W              = nitro_regs_pkg::CT_REC_WIDTH  // record to nitro_conntrack
) (
  input  logic                          clk,
  input  logic                          rst,           // synchronous, active high
  // Header records
  input  logic [511:0]                  hdr_data,      // frame bytes 0..63 (0 past the end)
  input  logic [15:0]                   hdr_len,
  input  logic [7:0]                    hdr_user,      // ENI slot
  input  logic                          hdr_valid,
  output logic                          hdr_ready,
  // Flow control
  input  logic                          freeze,
  input  logic [DEC_SPACE_W-1:0]        dec_space,     // free decision FIFO entries
  output logic                          busy,          // a header is in the pipeline
  // Card registers
  input  logic [31:0]                   underlay_ip,
  input  logic [47:0]                   underlay_mac,
  input  logic [47:0]                   nexthop_mac,
  input  logic [47:0]                   gateway_mac,
  // CSR bus for the edge set (EDGE_SET0..7, served by nitro_edge_select)
  input  logic                          csr_valid,
  input  logic                          csr_write,
  input  logic [15:0]                   csr_addr,
  input  logic [31:0]                   csr_wdata,
  output logic [31:0]                   edge_csr_rd,
  // ENI table read
  output logic [7:0]                    eni_slot,
  input  logic                          eni_valid,
  input  logic                          eni_sdc,
  input  logic [5:0]                    eni_sublen,
  input  logic [23:0]                   eni_vni,
  input  logic [31:0]                   eni_ip,
  input  logic [47:0]                   eni_mac,
  input  logic [31:0]                   eni_subnet,
  input  logic [7:0]                    eni_route,
  input  logic [7:0]                    eni_nacl,
  input  logic                          eni_untracked,
  input  logic [15:0]                   eni_sg_base,     // egress rules
  input  logic [15:0]                   eni_sg_count,
  // Receiver ENI read (local delivery), slot from the mapping in T3
  output logic [7:0]                    leni_slot,
  input  logic [7:0]                    leni_nacl,
  input  logic [31:0]                   leni_subnet,
  input  logic [5:0]                    leni_sublen,
  input  logic                          leni_untracked,
  input  logic [15:0]                   leni_sg_base,    // ingress rules
  input  logic [15:0]                   leni_sg_count,
  // Filtering table writes / read-back (table engine)
  input  logic                          route_wr,
  input  logic                          nacl_wr,
  input  logic                          bank_wr,
  input  logic [31:0]                   flt_wr_index,
  input  logic [255:0]                  flt_wr_data,
  input  logic                          flt_rd_mode,
  input  logic [31:0]                   flt_rd_index,
  output logic [74:0]                   route_rd_data,
  output logic                          route_bank,
  output logic [112:0]                  nacl_rd_data,
  // Mapping lookup (port A of both ways): bucket address, whole bucket the cycle after
  output logic [MAP_WAY_DEPTH_LOG2-MAP_BUCKET_SLOTS_LOG2-1:0] map_addr0,
  output logic [MAP_WAY_DEPTH_LOG2-MAP_BUCKET_SLOTS_LOG2-1:0] map_addr1,
  input  logic [(2**MAP_BUCKET_SLOTS_LOG2)*MAP_W-1:0]        map_data0,
  input  logic [(2**MAP_BUCKET_SLOTS_LOG2)*MAP_W-1:0]        map_data1,
  // Record: a ctRec whose payload is a txPay (nitro_regs_pkg, docs/registers.md)
  output logic [REC_W-1:0]              rec_data,
  output logic                          rec_wr
);

  localparam int B         = MAP_WAY_DEPTH_LOG2 - MAP_BUCKET_SLOTS_LOG2;  // bucket address bits

  if (IP_MTU < 68 || IP_MTU > 16000) begin : g_chk_mtu
    $error("nitro_tx_lookup: IP_MTU must be in 68..16000");
  end
  if (NUM_ENI < 2 || NUM_ENI > 256) begin : g_chk_eni
    $error("nitro_tx_lookup: NUM_ENI must be in 2..256");
  end
  if (DEC_SPACE_W < 6) begin : g_chk_space
    $error("nitro_tx_lookup: decision FIFO must hold at least 32 entries (the pipeline is deep)");
  end
  if (REC_W != nitro_regs_pkg::CT_REC_WIDTH) begin : g_chk_rec
    $error("nitro_tx_lookup: REC_W must be the ctRec record's width (nitro_regs_pkg CT_REC_WIDTH)");
  end

  // Latencies of the filtering modules and the stage TC where their results meet
  localparam int NACL_STAGES = (NACL_RULES + 3) / 4;
  localparam int RT_LAT = ROUTE_LEVELS + 1;              // in at T1
  localparam int NA_LAT = NACL_STAGES + 1;               // E's in at T1, L's in at T4
  localparam int TC_A   = (1 + RT_LAT > 1 + NA_LAT) ? 1 + RT_LAT : 1 + NA_LAT;
  localparam int TC     = (TC_A > 4 + NA_LAT) ? TC_A : 4 + NA_LAT;
  localparam int NIDX_W = $clog2(2 * NUM_NACL * NACL_RULES);

  localparam logic [1:0] K_DROP = 2'd0, K_HOST = 2'd1, K_ARP = 2'd2, K_NET = 2'd3;

  // ---------------------------------------------------------------- admission
  logic t1_v_q, t2_v_q, t3_v_q, t4_v_q, tf_v_q, tc_v;
  logic [DEC_SPACE_W-1:0] inflight_q;
  logic pop;

  assign pop       = hdr_valid && !freeze && (dec_space > inflight_q);
  assign hdr_ready = pop;
  assign busy      = inflight_q != '0;
  assign eni_slot  = hdr_user;

  always_ff @(posedge clk) begin
    if (rst) inflight_q <= '0;
    else     inflight_q <= inflight_q + DEC_SPACE_W'(pop) - DEC_SPACE_W'(tf_v_q);
  end

  // ---------------------------------------------------------------- T1
  logic [511:0] t1_hdr_q;
  logic [15:0]  t1_len_q;
  logic [7:0]   t1_slot_q;
  logic         t1_eni_valid_q, t1_sdc_q;
  logic [5:0]   t1_sublen_q;
  logic [23:0]  t1_vni_q;
  logic [31:0]  t1_ip_q, t1_subnet_q;
  logic [47:0]  t1_mac_q;
  logic [7:0]   t1_route_q, t1_nacl_q;
  logic         t1_untracked_q;
  logic [15:0]  t1_sgb_q, t1_sgc_q;

  always_ff @(posedge clk) begin
    if (rst) t1_v_q <= 1'b0;
    else     t1_v_q <= pop;
    if (pop) begin
      t1_hdr_q       <= hdr_data;
      t1_len_q       <= hdr_len;
      t1_slot_q      <= hdr_user;
      t1_eni_valid_q <= eni_valid;
      t1_sdc_q       <= eni_sdc;
      t1_sublen_q    <= eni_sublen;
      t1_vni_q       <= eni_vni;
      t1_ip_q        <= eni_ip;
      t1_mac_q       <= eni_mac;
      t1_subnet_q    <= eni_subnet;
      t1_route_q     <= eni_route;
      t1_nacl_q      <= eni_nacl;
      t1_untracked_q <= eni_untracked;
      t1_sgb_q       <= eni_sg_base;
      t1_sgc_q       <= eni_sg_count;
    end
  end

  // T1: the header checks (spec TX 1-5, ARP 1-4, IPv4 1-6), then what the lookups read of the header
  logic        is_arp, is_ip, pre_drop;
  logic [3:0]  pre_reason;
  logic [15:0] frag;
  logic [31:0] tpa, ip_src, ip_dst, key_ip, mask, gw;
  logic [7:0]  proto;
  logic        ports_ok;
  logic [31:0] crc_key_c, crc_key_i, crc_flow;

  nitro_tx_check #(.IP_MTU(IP_MTU)) u_check (
    .hdr       (t1_hdr_q[0 +: 8*42]),
    .len       (t1_len_q),
    .eni_valid (t1_eni_valid_q),
    .eni_sdc   (t1_sdc_q),
    .eni_mac   (t1_mac_q),
    .eni_ip    (t1_ip_q),
    .is_arp    (is_arp),
    .is_ip     (is_ip),
    .drop      (pre_drop),
    .reason    (pre_reason)
  );

  assign tpa    = `NB32(t1_hdr_q, 38);
  assign frag   = `NB16(t1_hdr_q, 20);
  assign proto  = `NB8(t1_hdr_q, 23);
  assign ip_src = `NB32(t1_hdr_q, 26);
  assign ip_dst = `NB32(t1_hdr_q, 30);
  assign key_ip = is_arp ? tpa : ip_dst;
  assign mask   = nitro_lookup_pkg::subnet_mask(t1_sublen_q);
  assign gw     = t1_subnet_q + 32'd1;

  assign ports_ok = (proto == 8'd6 || proto == 8'd17) && !frag[13] && (frag[12:0] == 13'd0);

  nitro_crc #(.NBYTES(7), .POLY(32'h82F63B78)) u_crc_key_c (
    .en (t1_v_q), .msg ({t1_vni_q, key_ip}), .crc (crc_key_c));
  nitro_crc #(.NBYTES(7), .POLY(32'hEDB88320)) u_crc_key_i (
    .en (t1_v_q), .msg ({t1_vni_q, key_ip}), .crc (crc_key_i));
  nitro_crc #(.NBYTES(13), .POLY(32'h82F63B78)) u_crc_flow (
    .en (t1_v_q), .msg ({ip_src, ip_dst, proto, (ports_ok ? `NB32(t1_hdr_q, 34) : 32'h0)}), .crc (crc_flow));

  // Filter fields (docs/card-filtering.md "Definitions"): bytes past the frame are absent (0)
  logic         dst_in_sub, e_skip, e_bad;
  logic [nitro_regs_pkg::CT_PKT_WIDTH-1:0] pkt;
  nitro_l4_fields u_l4 (
    .len   (t1_len_q),
    .proto (proto),
    .frag  (frag),
    .src   (ip_src),
    .dst   (ip_dst),
    .l4    (t1_hdr_q[8*34 +: 112]),
    .pkt   (pkt)
  );
  assign dst_in_sub = ((ip_dst ^ t1_subnet_q) & mask) == 32'h0;
  assign e_skip     = dst_in_sub;
  assign e_bad      = !e_skip && t1_nacl_q >= 8'(NUM_NACL);

  // Route lookup (E's route table, destination) and E's egress ACL, both started here
  logic [1:0]  rt_kind;
  logic [31:0] rt_edge_ip;
  logic        rt_valid, ne_valid, ne_allow;

  nitro_route_lookup #(.LEVELS(ROUTE_LEVELS)) u_route (
    .clk         (clk),
    .rst         (rst),
    .in_valid    (t1_v_q),
    .in_table    (t1_route_q),
    .in_ip       (ip_dst),
    .out_valid   (rt_valid),
    .out_kind    (rt_kind),
    .out_edge_ip (rt_edge_ip),
    .wr_en       (route_wr),
    .wr_bank     (flt_wr_index[ROUTE_LEVELS]),
    .wr_pos      (flt_wr_index[ROUTE_LEVELS-1:0]),
    .wr_data     ({flt_wr_data[nitro_regs_pkg::TBL_ROUTE_EDGE_IP_LSB +: 32],
                   flt_wr_data[nitro_regs_pkg::TBL_ROUTE_START_LSB +: 32],
                   flt_wr_data[nitro_regs_pkg::TBL_ROUTE_TABLE_LSB +: 8],
                   flt_wr_data[nitro_regs_pkg::TBL_ROUTE_KIND_LSB +: 2],
                   flt_wr_data[nitro_regs_pkg::TBL_ROUTE_VALID_LSB]}),
    .bank_we     (bank_wr),
    .bank_wdata  (flt_wr_data[nitro_regs_pkg::TBL_ROUTE_BANK_ACTIVE_LSB]),
    .bank        (route_bank),
    .rd_mode     (flt_rd_mode),
    .rd_bank     (flt_rd_index[ROUTE_LEVELS]),
    .rd_pos      (flt_rd_index[ROUTE_LEVELS-1:0]),
    .rd_data     (route_rd_data)
  );

  // Rule in the nitro_nacl layout from the staging words
  logic [112:0] nacl_wdata;
  assign nacl_wdata = nitro_lookup_pkg::nacl_rule(flt_wr_data);

  logic [112:0] unused_nacl_l_rd;
  nitro_nacl #(.NUM_NACL(NUM_NACL), .RULES(NACL_RULES), .RULES_PER_STAGE(4), .IDX_W(NIDX_W)) u_nacl_e (
    .clk       (clk),
    .rst       (rst),
    .in_valid  (t1_v_q),
    .in_acl    (t1_nacl_q),
    .in_dir    (1'b1),
    .in_skip   (e_skip),
    .in_remote (ip_dst),
    .in_proto  (proto),
    .in_p1     (pkt[nitro_regs_pkg::CT_PKT_P1_LSB +: nitro_regs_pkg::CT_PKT_P1_WIDTH]),
    .in_p2     (pkt[nitro_regs_pkg::CT_PKT_P2_LSB +: nitro_regs_pkg::CT_PKT_P2_WIDTH]),
    .out_valid (ne_valid),
    .out_allow (ne_allow),
    .wr_en     (nacl_wr),
    .wr_index  (flt_wr_index[NIDX_W-1:0]),
    .wr_data   (nacl_wdata),
    .rd_mode   (flt_rd_mode),
    .rd_index  (flt_rd_index[NIDX_W-1:0]),
    .rd_data   (nacl_rd_data)
  );

  // ---------------------------------------------------------------- T2
  logic [511:0] t2_hdr_q;
  logic [15:0]  t2_len_q;
  logic [7:0]   t2_slot_q;
  logic         t2_eni_valid_q;
  logic [23:0]  t2_vni_q;
  logic [47:0]  t2_mac_q;
  logic [31:0]  t2_key_ip_q;
  logic         t2_pre_drop_q;
  logic [3:0]   t2_pre_reason_q;
  logic         t2_is_arp_q, t2_arp_gw_q, t2_key_in_subnet_q;
  logic [15:0]  t2_sport_q;
  logic [B-1:0] t2_b0_q, t2_b1_q;
  logic [nitro_regs_pkg::CT_PKT_WIDTH-1:0] t2_pkt_q;
  logic         t2_ip_pass_q, t2_e_bad_q, t2_untracked_q;
  logic [15:0]  t2_sgb_q, t2_sgc_q;

  always_ff @(posedge clk) begin
    if (rst) t2_v_q <= 1'b0;
    else     t2_v_q <= t1_v_q;
    t2_hdr_q           <= t1_hdr_q;
    t2_len_q           <= t1_len_q;
    t2_slot_q          <= t1_slot_q;
    t2_eni_valid_q     <= t1_eni_valid_q;
    t2_vni_q           <= t1_vni_q;
    t2_mac_q           <= t1_mac_q;
    t2_key_ip_q        <= key_ip;
    t2_pre_drop_q      <= pre_drop;
    t2_pre_reason_q    <= pre_reason;
    t2_is_arp_q        <= is_arp;
    t2_arp_gw_q        <= (tpa == gw);
    t2_key_in_subnet_q <= ((key_ip ^ t1_subnet_q) & mask) == 32'h0;
    t2_sport_q         <= {2'b11, crc_flow[13:0]};
    t2_b0_q            <= crc_key_c[B-1:0];
    t2_b1_q            <= crc_key_i[B-1:0];
    t2_pkt_q           <= pkt;
    t2_ip_pass_q       <= is_ip && !pre_drop;
    t2_e_bad_q         <= e_bad;
    t2_untracked_q     <= t1_untracked_q;
    t2_sgb_q           <= t1_sgb_q;
    t2_sgc_q           <= t1_sgc_q;
  end

  assign map_addr0 = t2_b0_q;
  assign map_addr1 = t2_b1_q;

  // ---------------------------------------------------------------- T3
  logic [511:0] t3_hdr_q;
  logic [15:0]  t3_len_q;
  logic [7:0]   t3_slot_q;
  logic         t3_eni_valid_q;
  logic [23:0]  t3_vni_q;
  logic [47:0]  t3_mac_q;
  logic [31:0]  t3_key_ip_q;
  logic         t3_pre_drop_q;
  logic [3:0]   t3_pre_reason_q;
  logic         t3_is_arp_q, t3_arp_gw_q, t3_key_in_subnet_q;
  logic [15:0]  t3_sport_q;
  logic [nitro_regs_pkg::CT_PKT_WIDTH-1:0] t3_pkt_q;
  logic         t3_ip_pass_q, t3_e_bad_q, t3_untracked_q;
  logic [15:0]  t3_sgb_q, t3_sgc_q;

  always_ff @(posedge clk) begin
    t3_pkt_q       <= t2_pkt_q;
    t3_ip_pass_q   <= t2_ip_pass_q;
    t3_e_bad_q     <= t2_e_bad_q;
    t3_untracked_q <= t2_untracked_q;
    t3_sgb_q       <= t2_sgb_q;
    t3_sgc_q       <= t2_sgc_q;
  end

  always_ff @(posedge clk) begin
    if (rst) t3_v_q <= 1'b0;
    else     t3_v_q <= t2_v_q;
    t3_hdr_q           <= t2_hdr_q;
    t3_len_q           <= t2_len_q;
    t3_slot_q          <= t2_slot_q;
    t3_eni_valid_q     <= t2_eni_valid_q;
    t3_vni_q           <= t2_vni_q;
    t3_mac_q           <= t2_mac_q;
    t3_key_ip_q        <= t2_key_ip_q;
    t3_pre_drop_q      <= t2_pre_drop_q;
    t3_pre_reason_q    <= t2_pre_reason_q;
    t3_is_arp_q        <= t2_is_arp_q;
    t3_arp_gw_q        <= t2_arp_gw_q;
    t3_key_in_subnet_q <= t2_key_in_subnet_q;
    t3_sport_q         <= t2_sport_q;
  end

  // Mapping compare: entry {mac, underlay_ip, ip, vni, slot, local, valid}
  logic [MAP_W-1:0] e_ent;
  logic [47:0] e_mac;
  logic [31:0] e_uip, e_ip;
  logic [23:0] e_vni;
  logic [7:0]  e_slot;
  logic        e_local, e_valid, hit;

  nitro_map_match #(.WIDTH(MAP_W), .SLOTS(2 ** MAP_BUCKET_SLOTS_LOG2)) u_match (
    .bucket0 (map_data0),
    .bucket1 (map_data1),
    .vni     (t3_vni_q),
    .ip      (t3_key_ip_q),
    .hit     (hit),
    .entry   (e_ent)
  );
  assign {e_mac, e_uip, e_ip, e_vni, e_slot, e_local, e_valid} = e_ent;

  logic [1:0]  kind;
  logic [3:0]  reason;
  logic [47:0] ans_mac;
  always_comb begin
    kind    = K_DROP;
    reason  = t3_pre_reason_q;
    ans_mac = e_mac;
    if (!t3_pre_drop_q) begin
      if (t3_is_arp_q) begin
        if (t3_arp_gw_q) begin
          kind    = K_ARP;
          ans_mac = gateway_mac;
        end else if (t3_key_in_subnet_q && hit) begin
          kind    = K_ARP;
        end else begin
          reason  = 4'(nitro_regs_pkg::DROP_UNKNOWN_DESTINATION);
        end
      end else if (hit) begin
        kind = e_local ? K_HOST : K_NET;
      end else begin
        reason = 4'(nitro_regs_pkg::DROP_UNKNOWN_DESTINATION);
      end
    end
  end

  // ---------------------------------------------------------------- T4
  // The receiver of a local mapping: its ENI (second ENI port) is read here, registered in T4.
  assign leni_slot = e_slot;

  logic [511:0] t4_hdr_q;
  logic [15:0]  t4_len_q;
  logic [7:0]   t4_slot_q, t4_eslot_q;
  logic         t4_eni_valid_q;
  logic [23:0]  t4_vni_q;
  logic [47:0]  t4_mac_q, t4_ans_mac_q;
  logic [31:0]  t4_uip_q;
  logic [1:0]   t4_kind_q;
  logic [3:0]   t4_reason_q;
  logic         t4_in_subnet_q, t4_is_arp_q;
  logic [15:0]  t4_sport_q;
  logic [nitro_regs_pkg::CT_PKT_WIDTH-1:0] t4_pkt_q;
  logic         t4_ip_pass_q, t4_e_bad_q, t4_untracked_q, t4_l_untracked_q;
  logic [15:0]  t4_sgb_q, t4_sgc_q, t4_l_sgb_q, t4_l_sgc_q;
  logic [7:0]   t4_l_nacl_q;
  logic [31:0]  t4_l_subnet_q;
  logic [5:0]   t4_l_sublen_q;

  always_ff @(posedge clk) begin
    if (rst) t4_v_q <= 1'b0;
    else     t4_v_q <= t3_v_q;
    t4_hdr_q         <= t3_hdr_q;
    t4_len_q         <= t3_len_q;
    t4_slot_q        <= t3_slot_q;
    t4_eslot_q       <= e_slot;
    t4_eni_valid_q   <= t3_eni_valid_q;
    t4_vni_q         <= t3_vni_q;
    t4_mac_q         <= t3_mac_q;
    t4_ans_mac_q     <= ans_mac;
    t4_uip_q         <= e_uip;
    t4_kind_q        <= kind;
    t4_reason_q      <= reason;
    t4_in_subnet_q   <= t3_key_in_subnet_q;
    t4_is_arp_q      <= t3_is_arp_q;
    t4_sport_q       <= t3_sport_q;
    t4_pkt_q         <= t3_pkt_q;
    t4_ip_pass_q     <= t3_ip_pass_q;
    t4_e_bad_q       <= t3_e_bad_q;
    t4_untracked_q   <= t3_untracked_q;
    t4_sgb_q         <= t3_sgb_q;
    t4_sgc_q         <= t3_sgc_q;
    t4_l_nacl_q      <= leni_nacl;
    t4_l_subnet_q    <= leni_subnet;
    t4_l_sublen_q    <= leni_sublen;
    t4_l_untracked_q <= leni_untracked;
    t4_l_sgb_q       <= leni_sg_base;
    t4_l_sgc_q       <= leni_sg_count;
  end

  // L's ingress ACL (skipped when the source is in L's subnet)
  logic [31:0] t4_src;
  logic        l_skip, l_bad, nl_valid, nl_allow;
  assign t4_src = t4_pkt_q[nitro_regs_pkg::CT_PKT_SRC_LSB +: nitro_regs_pkg::CT_PKT_SRC_WIDTH];
  assign l_skip = nitro_lookup_pkg::in_subnet(t4_src, t4_l_subnet_q, t4_l_sublen_q);
  assign l_bad  = !l_skip && t4_l_nacl_q >= 8'(NUM_NACL);

  nitro_nacl #(.NUM_NACL(NUM_NACL), .RULES(NACL_RULES), .RULES_PER_STAGE(4), .IDX_W(NIDX_W)) u_nacl_l (
    .clk       (clk),
    .rst       (rst),
    .in_valid  (t4_v_q),
    .in_acl    (t4_l_nacl_q),
    .in_dir    (1'b0),
    .in_skip   (l_skip),
    .in_remote (t4_src),
    .in_proto  (t4_pkt_q[nitro_regs_pkg::CT_PKT_PROTO_LSB +: nitro_regs_pkg::CT_PKT_PROTO_WIDTH]),
    .in_p1     (t4_pkt_q[nitro_regs_pkg::CT_PKT_P1_LSB +: nitro_regs_pkg::CT_PKT_P1_WIDTH]),
    .in_p2     (t4_pkt_q[nitro_regs_pkg::CT_PKT_P2_LSB +: nitro_regs_pkg::CT_PKT_P2_WIDTH]),
    .out_valid (nl_valid),
    .out_allow (nl_allow),
    .wr_en     (nacl_wr),
    .wr_index  (flt_wr_index[NIDX_W-1:0]),
    .wr_data   (nacl_wdata),
    .rd_mode   (flt_rd_mode),
    .rd_index  (flt_rd_index[NIDX_W-1:0]),
    .rd_data   (unused_nacl_l_rd)
  );

  // ---------------------------------------------------------------- T4 .. TC: line up
  localparam int DW = 944;
  logic [DW-1:0] t4_rec, tc_rec;
  assign t4_rec = {t4_hdr_q, t4_len_q, t4_slot_q, t4_eslot_q, t4_eni_valid_q, t4_vni_q, t4_mac_q, t4_ans_mac_q,
                   t4_uip_q, t4_kind_q, t4_reason_q, t4_in_subnet_q, t4_is_arp_q, t4_sport_q, t4_pkt_q,
                   t4_ip_pass_q, t4_e_bad_q, t4_untracked_q, t4_sgb_q, t4_sgc_q, t4_l_untracked_q, t4_l_sgb_q,
                   t4_l_sgc_q, l_bad};

  nitro_delay #(.WIDTH(DW), .DEPTH(TC - 4)) u_dly_rec (.clk (clk), .d (t4_rec), .q (tc_rec));

  logic [TC-5:0] tv_q;   // valid bits T5 .. TC
  always_ff @(posedge clk) begin
    if (rst) tv_q <= '0;
    else     tv_q <= (tv_q << 1) | (TC-4)'(t4_v_q);
  end
  assign tc_v = tv_q[TC-5];

  logic [1:0]  c_rt_kind;
  logic [31:0] c_rt_edge_ip;
  logic        c_ne_allow, c_nl_allow;
  nitro_delay #(.WIDTH(34), .DEPTH(TC - 1 - RT_LAT)) u_dly_rt (.clk (clk), .d ({rt_kind, rt_edge_ip}), .q ({c_rt_kind, c_rt_edge_ip}));
  nitro_delay #(.WIDTH(1), .DEPTH(TC - 1 - NA_LAT)) u_dly_ne (.clk (clk), .d (ne_allow), .q (c_ne_allow));
  nitro_delay #(.WIDTH(1), .DEPTH(TC - 4 - NA_LAT)) u_dly_nl (.clk (clk), .d (nl_allow), .q (c_nl_allow));

  // ---------------------------------------------------------------- TC: combine
  logic [511:0] c_hdr;
  logic [15:0]  c_len, c_sport, c_sgb, c_sgc, c_l_sgb, c_l_sgc;
  logic [7:0]   c_slot, c_eslot;
  logic         c_eni_valid, c_in_subnet, c_is_arp, c_ip_pass, c_e_bad, c_untracked, c_l_untracked, c_l_bad;
  logic [23:0]  c_vni;
  logic [47:0]  c_mac, c_ans_mac0;
  logic [31:0]  c_uip0;
  logic [1:0]   c_kind0;
  logic [3:0]   c_reason0;
  logic [nitro_regs_pkg::CT_PKT_WIDTH-1:0] c_pkt;
  assign {c_hdr, c_len, c_slot, c_eslot, c_eni_valid, c_vni, c_mac, c_ans_mac0, c_uip0, c_kind0, c_reason0,
          c_in_subnet, c_is_arp, c_sport, c_pkt, c_ip_pass, c_e_bad, c_untracked, c_sgb, c_sgc, c_l_untracked,
          c_l_sgb, c_l_sgc, c_l_bad} = tc_rec;

  // The edge of this flow: EDGE_SET[outer source port mod 8], else the route's EDGE_IP
  logic [31:0] c_edge_ip;
  nitro_edge_select u_edge (
    .clk       (clk),
    .rst       (rst),
    .csr_valid (csr_valid),
    .csr_write (csr_write),
    .csr_addr  (csr_addr),
    .csr_wdata (csr_wdata),
    .csr_rd    (edge_csr_rd),
    .slot      (c_sport[2:0]),
    .route_ip  (c_rt_edge_ip),
    .next_hop  (c_edge_ip)
  );

  logic [1:0]  c_kind;
  logic [3:0]  c_reason;
  logic [47:0] c_ans_mac, c_src_mac;
  logic [31:0] c_uip;
  logic        c_op0_v, c_op1_v, c_mid;
  always_comb begin
    c_kind    = c_kind0;
    c_reason  = c_reason0;
    c_ans_mac = c_ans_mac0;
    c_src_mac = c_in_subnet ? c_mac : gateway_mac;
    c_uip     = c_uip0;
    c_op0_v   = 1'b0;
    c_op1_v   = 1'b0;
    c_mid     = 1'b0;
    if (c_ip_pass) begin
      // 7. route kind: 1 the mapping decision stands, 2 the edge, 3 blackhole, 0 no route
      unique case (c_rt_kind)
        2'd1: ;
        2'd2: begin
          c_kind    = K_NET;
          c_ans_mac = gateway_mac;
          c_src_mac = c_mac;
          c_uip     = c_edge_ip;
        end
        2'd3: begin
          c_kind   = K_DROP;
          c_reason = 4'(nitro_regs_pkg::DROP_BLACKHOLE);
        end
        default: begin
          c_kind   = K_DROP;
          c_reason = 4'(nitro_regs_pkg::DROP_UNKNOWN_DESTINATION);
        end
      endcase
      if (c_kind != K_DROP) begin
        if (!c_ne_allow || c_e_bad) begin                 // 8. egress ACL of E
          c_kind   = K_DROP;
          c_reason = 4'(nitro_regs_pkg::DROP_NACL_DENY);
        end else begin
          c_op0_v = 1'b1;                                 // 9. egress security group at E
          if (c_kind == K_HOST) begin                     // 10. ingress ACL and group of L
            c_mid   = !c_nl_allow || c_l_bad;
            c_op1_v = !c_mid;
          end
        end
      end
    end
  end

  // ---------------------------------------------------------------- TF
  logic [511:0] tf_hdr_q;
  logic [15:0]  tf_len_q, tf_sport_q;
  logic [7:0]   tf_slot_q, tf_eslot_q;
  logic         tf_eni_valid_q, tf_is_arp_q, tf_op0_v_q, tf_op1_v_q, tf_mid_q;
  logic [23:0]  tf_vni_q;
  logic [47:0]  tf_ans_mac_q, tf_src_mac_q;
  logic [31:0]  tf_uip_q;
  logic [1:0]   tf_kind_q;
  logic [3:0]   tf_reason_q;
  logic [nitro_regs_pkg::CT_PKT_WIDTH-1:0] tf_pkt_q;
  logic [nitro_regs_pkg::CT_OP_WIDTH-1:0] tf_op0_q, tf_op1_q;

  always_ff @(posedge clk) begin
    if (rst) tf_v_q <= 1'b0;
    else     tf_v_q <= tc_v;
    tf_hdr_q       <= c_hdr;
    tf_len_q       <= c_len;
    tf_sport_q     <= c_sport;
    tf_slot_q      <= c_slot;
    tf_eslot_q     <= c_eslot;
    tf_eni_valid_q <= c_eni_valid;
    tf_is_arp_q    <= c_is_arp;
    tf_vni_q       <= c_vni;
    tf_ans_mac_q   <= c_ans_mac;
    tf_src_mac_q   <= c_src_mac;
    tf_uip_q       <= c_uip;
    tf_kind_q      <= c_kind;
    tf_reason_q    <= c_reason;
    tf_pkt_q       <= c_pkt;
    tf_op0_v_q     <= c_op0_v;
    tf_op1_v_q     <= c_op1_v;
    tf_mid_q       <= c_mid;
    // op0: egress at the sender E; op1: ingress at the local receiver L
    tf_op0_q[nitro_regs_pkg::CT_OP_SLOT_LSB +: nitro_regs_pkg::CT_OP_SLOT_WIDTH]       <= c_slot;
    tf_op0_q[nitro_regs_pkg::CT_OP_INGRESS_LSB]   <= 1'b0;
    tf_op0_q[nitro_regs_pkg::CT_OP_UNTRACKED_LSB] <= c_untracked;
    tf_op0_q[nitro_regs_pkg::CT_OP_RULE_BASE_LSB +: nitro_regs_pkg::CT_OP_RULE_BASE_WIDTH]  <= c_sgb;
    tf_op0_q[nitro_regs_pkg::CT_OP_RULE_COUNT_LSB +: nitro_regs_pkg::CT_OP_RULE_COUNT_WIDTH] <= c_sgc;
    tf_op1_q[nitro_regs_pkg::CT_OP_SLOT_LSB +: nitro_regs_pkg::CT_OP_SLOT_WIDTH]       <= c_eslot;
    tf_op1_q[nitro_regs_pkg::CT_OP_INGRESS_LSB]   <= 1'b1;
    tf_op1_q[nitro_regs_pkg::CT_OP_UNTRACKED_LSB] <= c_l_untracked;
    tf_op1_q[nitro_regs_pkg::CT_OP_RULE_BASE_LSB +: nitro_regs_pkg::CT_OP_RULE_BASE_WIDTH]  <= c_l_sgb;
    tf_op1_q[nitro_regs_pkg::CT_OP_RULE_COUNT_LSB +: nitro_regs_pkg::CT_OP_RULE_COUNT_WIDTH] <= c_l_sgc;
  end

  // The first output beat, its length and tuser
  logic [511:0] beat0;
  logic [15:0]  out_len;
  logic [7:0]   out_user;
  nitro_tx_beat u_beat (
    .kind         (tf_kind_q),
    .hdr          (tf_hdr_q),
    .len          (tf_len_q),
    .slot         (tf_slot_q),
    .rx_slot      (tf_eslot_q),
    .vni          (tf_vni_q),
    .dst_mac      (tf_ans_mac_q),
    .src_mac      (tf_src_mac_q),
    .remote_ip    (tf_uip_q),
    .sport        (tf_sport_q),
    .underlay_ip  (underlay_ip),
    .underlay_mac (underlay_mac),
    .nexthop_mac  (nexthop_mac),
    .beat0        (beat0),
    .out_len      (out_len),
    .out_user     (out_user)
  );

  // Statistics fields (the final decision is made by nitro_conntrack)
  logic [23:0] st_vni;
  logic [31:0] st_isrc, st_idst;
  assign st_vni  = tf_eni_valid_q ? tf_vni_q : 24'h0;
  assign st_isrc = tf_is_arp_q ? ((tf_len_q >= 16'd32) ? `NB32(tf_hdr_q, 28) : 32'h0)
                               : ((tf_len_q >= 16'd30) ? `NB32(tf_hdr_q, 26) : 32'h0);
  assign st_idst = tf_is_arp_q ? ((tf_len_q >= 16'd42) ? `NB32(tf_hdr_q, 38) : 32'h0)
                               : ((tf_len_q >= 16'd34) ? `NB32(tf_hdr_q, 30) : 32'h0);

  // The record: a ctRec holding a txPay (its txDec the editor's decision) and the ctFlow fields (the frame's
  // length, an egress ACL deny at the sender)
  logic [nitro_regs_pkg::TX_DEC_WIDTH-1:0]  rec_dec;
  logic [nitro_regs_pkg::TX_PAY_WIDTH-1:0]  rec_pay;
  logic [nitro_regs_pkg::CT_FLOW_WIDTH-1:0] rec_flow;
  always_comb begin
    rec_dec[nitro_regs_pkg::TX_DEC_KIND_LSB +: nitro_regs_pkg::TX_DEC_KIND_WIDTH]    = tf_kind_q;
    rec_dec[nitro_regs_pkg::TX_DEC_TUSER_LSB +: nitro_regs_pkg::TX_DEC_TUSER_WIDTH]   = out_user;
    rec_dec[nitro_regs_pkg::TX_DEC_OUT_LEN_LSB +: nitro_regs_pkg::TX_DEC_OUT_LEN_WIDTH] = out_len;
    rec_dec[nitro_regs_pkg::TX_DEC_BEAT0_LSB +: nitro_regs_pkg::TX_DEC_BEAT0_WIDTH]   = beat0;
    rec_pay[nitro_regs_pkg::TX_PAY_DEC_LSB +: nitro_regs_pkg::TX_PAY_DEC_WIDTH]     = rec_dec;
    rec_pay[nitro_regs_pkg::TX_PAY_REASON_LSB +: nitro_regs_pkg::TX_PAY_REASON_WIDTH]  = tf_reason_q;
    rec_pay[nitro_regs_pkg::TX_PAY_SLOT_LSB +: nitro_regs_pkg::TX_PAY_SLOT_WIDTH]    = tf_slot_q;
    rec_pay[nitro_regs_pkg::TX_PAY_VNI_LSB +: nitro_regs_pkg::TX_PAY_VNI_WIDTH]     = st_vni;
    rec_pay[nitro_regs_pkg::TX_PAY_ISRC_LSB +: nitro_regs_pkg::TX_PAY_ISRC_WIDTH]    = st_isrc;
    rec_pay[nitro_regs_pkg::TX_PAY_IDST_LSB +: nitro_regs_pkg::TX_PAY_IDST_WIDTH]    = st_idst;
    rec_pay[nitro_regs_pkg::TX_PAY_LEN_LSB +: nitro_regs_pkg::TX_PAY_LEN_WIDTH]     = tf_len_q;
    rec_flow[nitro_regs_pkg::CT_FLOW_LEN_LSB +: nitro_regs_pkg::CT_FLOW_LEN_WIDTH]       = tf_len_q;
    rec_flow[nitro_regs_pkg::CT_FLOW_NACL_DENY_LSB] = tf_kind_q == K_DROP && tf_reason_q == 4'(nitro_regs_pkg::DROP_NACL_DENY);
    rec_flow[nitro_regs_pkg::CT_FLOW_NACL_SLOT_LSB +: nitro_regs_pkg::CT_FLOW_NACL_SLOT_WIDTH] = tf_slot_q;
    rec_data[nitro_regs_pkg::CT_REC_PAY_LSB +: nitro_regs_pkg::CT_REC_PAY_WIDTH]      = rec_pay;
    rec_data[nitro_regs_pkg::CT_REC_FLOW_LSB +: nitro_regs_pkg::CT_REC_FLOW_WIDTH]     = rec_flow;
    rec_data[nitro_regs_pkg::CT_REC_PKT_LSB +: nitro_regs_pkg::CT_REC_PKT_WIDTH]      = tf_pkt_q;
    rec_data[nitro_regs_pkg::CT_REC_OP1_LSB +: nitro_regs_pkg::CT_REC_OP1_WIDTH]      = tf_op1_q;
    rec_data[nitro_regs_pkg::CT_REC_OP0_LSB +: nitro_regs_pkg::CT_REC_OP0_WIDTH]      = tf_op0_q;
    rec_data[nitro_regs_pkg::CT_REC_OP1_V_LSB]    = tf_op1_v_q;
    rec_data[nitro_regs_pkg::CT_REC_OP0_V_LSB]    = tf_op0_v_q;
    rec_data[nitro_regs_pkg::CT_REC_MID_DENY_LSB] = tf_mid_q;
  end
  assign rec_wr = tf_v_q;

  logic unused_bits;
  assign unused_bits = ^{frag[15:14], crc_key_c[31:B], crc_key_i[31:B], crc_flow[31:14], e_ip, e_vni, e_valid,
                         rt_valid, ne_valid, nl_valid, e_slot};

endmodule
