// The after-service client: workflow steps checked locally, lists as ranges.
#pragma once

#include "erpbridge/aftersales/export.hpp"
#include "erpbridge/version.hpp"

#include <memory>
#include <string>
#include <vector>

#include "erpbridge/aftersales/connection.hpp"
#include "erpbridge/core/client_base.hpp"

namespace erpbridge::aftersales {

/// After-service calls. Copies share one connection; safe to use from several threads.
class ERPBRIDGE_AFTERSALES_EXPORT Client : public ClientBase<Client, Connection> {
 public:
  using ClientBase::ClientBase;
  /// A client over make_connection(options).
  explicit Client(Options options);

  // Every endpoint of Connection under its Connection name; `all_<things>` are ranges over
  // every page of a list endpoint (the same scheme in every family's Client).

  /// Creates an order (the six fields are checked first); it starts in_progress / waiting.
  Result<Order> create_order(const NewOrder& order) const;
  /// The order a create_order() of `order` made, for when its reply did not carry the new
  /// id (the result then has id 0 and a decode note on `data.id`): lists the orders of
  /// `order.creator_name` and returns the newest (highest id) whose six fields equal those
  /// sent. NotFound if none does; a failed list is that error.
  Result<Order> find_created(const NewOrder& order) const;
  /// One page of orders matching `filter`.
  Result<Page<Order>> list_orders(const ListFilter& filter) const;
  /// Every order matching `filter`, pages loaded on demand from filter.page.
  PaginatedRange<Order> all_orders(const ListFilter& filter) const;
  /// Changes only the fields set in `update`.
  Result<Order> update_order(std::int64_t id, const OrderUpdate& update) const;

  /// Workflow steps. Only what the document restricts is checked locally: a submission of an
  /// order that is not in_progress / waiting is FailedPrecondition without a request; done
  /// and reject are sent and judged by the server. An empty `remark` or `operator_name` is
  /// not sent (the document updates only the fields given).
  ///@{
  /// Submit (done at waiting), done (next status) and reject (previous status).
  Result<Order> submit_order(const Order& order, const std::string& remark,
                             const std::string& operator_name) const;
  Result<Order> done_order(const Order& order, const std::string& remark,
                           const std::string& operator_name) const;
  Result<Order> reject_order(const Order& order, const std::string& remark,
                             const std::string& operator_name) const;
  ///@}
  /// Deletes an order that is still in_progress / waiting (checked locally first).
  Result<void> delete_order(const Order& order) const;

  /// One page of an order's journal.
  Result<Page<Journal>> list_journals(std::int64_t order_id, const PageRequest& page) const;
  /// Every journal entry of an order, oldest first.
  PaginatedRange<Journal> all_journals(std::int64_t order_id, int per_page = 50) const;
  /// One page of products.
  Result<Page<Product>> list_products(const PageRequest& page) const;
  /// Every product.
  PaginatedRange<Product> all_products(int per_page = 50) const;
  /// Supplier users whose names match `key_word`, one page.
  Result<Page<SupplierUserMatch>> match_supplier_users(const std::string& key_word,
                                                       const PageRequest& page) const;

  /// Adds abnormal products to an order.
  Result<std::vector<AbnormalProduct>> add_abnormal_products(
      std::int64_t order_id, const std::vector<AbnormalProduct>& products) const;
  /// Changes an abnormal product of an order.
  Result<AbnormalProduct> update_abnormal_product(std::int64_t order_id, std::int64_t product_id,
                                                  const AbnormalProduct& product) const;
  /// Removes an abnormal product from an order.
  Result<void> delete_abnormal_product(std::int64_t order_id, std::int64_t product_id) const;
  /// Writes an order's duty report.
  Result<DutyReport> update_duty_report(std::int64_t order_id, const DutyReport& report) const;
  /// One of the duty reports' rank statistics.
  Result<std::vector<RankEntry>> rank(Rank rank) const;

  ///@{
  /// The async forms: each returns at once with a Future, with the same local checks (a
  /// submission not from in_progress / waitting, an order that cannot be deleted, an invalid
  /// new order:
  /// a Future complete already with the error). all_*_async collect every page, one page
  /// request after another.
  Future<Order> create_order_async(const NewOrder& order) const;
  Future<Page<Order>> list_orders_async(const ListFilter& filter) const;
  Future<std::vector<Order>> all_orders_async(const ListFilter& filter) const;
  Future<Order> update_order_async(std::int64_t id, const OrderUpdate& update) const;
  Future<Order> submit_order_async(const Order& order, const std::string& remark,
                                   const std::string& operator_name) const;
  Future<Order> done_order_async(const Order& order, const std::string& remark,
                                 const std::string& operator_name) const;
  Future<Order> reject_order_async(const Order& order, const std::string& remark,
                                   const std::string& operator_name) const;
  Future<void> delete_order_async(const Order& order) const;
  Future<Page<Journal>> list_journals_async(std::int64_t order_id, const PageRequest& page) const;
  Future<std::vector<Journal>> all_journals_async(std::int64_t order_id, int per_page = 50) const;
  Future<Page<Product>> list_products_async(const PageRequest& page) const;
  Future<std::vector<Product>> all_products_async(int per_page = 50) const;
  Future<Page<SupplierUserMatch>> match_supplier_users_async(const std::string& key_word,
                                                             const PageRequest& page) const;
  Future<std::vector<AbnormalProduct>> add_abnormal_products_async(
      std::int64_t order_id, const std::vector<AbnormalProduct>& products) const;
  Future<AbnormalProduct> update_abnormal_product_async(std::int64_t order_id,
                                                        std::int64_t product_id,
                                                        const AbnormalProduct& product) const;
  Future<void> delete_abnormal_product_async(std::int64_t order_id, std::int64_t product_id) const;
  Future<DutyReport> update_duty_report_async(std::int64_t order_id,
                                              const DutyReport& report) const;
  Future<std::vector<RankEntry>> rank_async(Rank rank) const;
  ///@}

 private:
  Result<Order> step(const Order& order, Operation operation, bool submission,
                     const std::string& remark, const std::string& operator_name) const;
  Future<Order> step_async(const Order& order, Operation operation, bool submission,
                           const std::string& remark, const std::string& operator_name) const;
};

}  // namespace erpbridge::aftersales
