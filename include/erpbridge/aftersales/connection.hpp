// The after-service endpoints, one virtual method each. Subclass it to mock the service.
#pragma once

#include "erpbridge/aftersales/export.hpp"
#include "erpbridge/version.hpp"

#include <memory>
#include <string>
#include <vector>

#include "erpbridge/aftersales/types.hpp"
#include "erpbridge/core/background.hpp"
#include "erpbridge/core/future.hpp"
#include "erpbridge/core/pagination.hpp"

namespace erpbridge::aftersales {

/// Raw endpoints: no local workflow checks (Client adds them). GETs are retried on
/// transport errors, timeouts and 408/429/5xx; every write (POST, PUT, DELETE) is sent
/// once, since each may add an order, a product or a journal entry.
///
/// Replies are read leniently: only `status` decides the outcome (a write's reply must
/// carry it; a list's may leave it out, as the document's list example does). Any other
/// field that does not fit its type is left empty and reported in Result::notes(). A write
/// accepted with an empty `data` succeeds with what is known (what was sent; the id unset
/// for a new order) and a note. Times are read as Timestamps. A write whose reply cannot be
/// read fails with Error::outcome_unknown set.
///
/// Every blocking method has an async twin (name_async) returning a Future; its default runs
/// the blocking method on the SDK's worker pool, so a mock overriding blocking methods
/// serves async calls too.
class ERPBRIDGE_AFTERSALES_EXPORT Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;

  /// POST orders.
  virtual Result<Order> create_order(const NewOrder& order);
  /// GET orders?status=&workflow_status=&creator_name=&page=&per_page=.
  virtual Result<Page<Order>> list_orders(const ListFilter& filter);
  /// PUT orders/ID with the fields that are set.
  virtual Result<Order> update_order(std::int64_t id, const OrderUpdate& update);
  /// PUT orders/ID {operation:"done"} from waiting: submits the order for review.
  virtual Result<Order> submit_order(std::int64_t id, const std::string& remark,
                                     const std::string& operator_name);
  /// PUT orders/ID {operation:"done"}: to the next status.
  virtual Result<Order> done_order(std::int64_t id, const std::string& remark,
                                   const std::string& operator_name);
  /// PUT orders/ID {operation:"reject"}: back to the previous status.
  virtual Result<Order> reject_order(std::int64_t id, const std::string& remark,
                                     const std::string& operator_name);
  /// DELETE orders/ID (only while in_progress / waiting).
  virtual Result<void> delete_order(std::int64_t id);
  /// GET ID/journals (the spec's path has no "orders/").
  virtual Result<Page<Journal>> list_journals(std::int64_t order_id, const PageRequest& page);
  /// GET all-products.
  virtual Result<Page<Product>> list_products(const PageRequest& page);
  /// GET supplier_user_matcher?key_word=.
  virtual Result<Page<SupplierUserMatch>> match_supplier_users(const std::string& key_word,
                                                               const PageRequest& page);
  /// POST orders/ID/abnormal-products with one or many products.
  virtual Result<std::vector<AbnormalProduct>> add_abnormal_products(
      std::int64_t order_id, const std::vector<AbnormalProduct>& products);
  /// PUT orders/ID/abnormal-products/PRODUCT_ID.
  virtual Result<AbnormalProduct> update_abnormal_product(std::int64_t order_id,
                                                          std::int64_t product_id,
                                                          const AbnormalProduct& product);
  /// DELETE orders/ID/abnormal-products/PRODUCT_ID.
  virtual Result<void> delete_abnormal_product(std::int64_t order_id, std::int64_t product_id);
  /// PUT orders/ID/duty-report.
  virtual Result<DutyReport> update_duty_report(std::int64_t order_id, const DutyReport& report);
  /// GET dutyreports/{typerank, reasonrank, dutyrank, compensationrank, publishmentrank}.
  virtual Result<std::vector<RankEntry>> rank(Rank rank);

  ///@{
  /// The async twins of the methods above.
  virtual Future<Order> create_order_async(const NewOrder& order);
  virtual Future<Page<Order>> list_orders_async(const ListFilter& filter);
  virtual Future<Order> update_order_async(std::int64_t id, const OrderUpdate& update);
  virtual Future<Order> submit_order_async(std::int64_t id, const std::string& remark,
                                           const std::string& operator_name);
  virtual Future<Order> done_order_async(std::int64_t id, const std::string& remark,
                                         const std::string& operator_name);
  virtual Future<Order> reject_order_async(std::int64_t id, const std::string& remark,
                                           const std::string& operator_name);
  virtual Future<void> delete_order_async(std::int64_t id);
  virtual Future<Page<Journal>> list_journals_async(std::int64_t order_id, const PageRequest& page);
  virtual Future<Page<Product>> list_products_async(const PageRequest& page);
  virtual Future<Page<SupplierUserMatch>> match_supplier_users_async(const std::string& key_word,
                                                                     const PageRequest& page);
  virtual Future<std::vector<AbnormalProduct>> add_abnormal_products_async(
      std::int64_t order_id, const std::vector<AbnormalProduct>& products);
  virtual Future<AbnormalProduct> update_abnormal_product_async(std::int64_t order_id,
                                                                std::int64_t product_id,
                                                                const AbnormalProduct& product);
  virtual Future<void> delete_abnormal_product_async(std::int64_t order_id,
                                                     std::int64_t product_id);
  virtual Future<DutyReport> update_duty_report_async(std::int64_t order_id,
                                                      const DutyReport& report);
  virtual Future<std::vector<RankEntry>> rank_async(Rank rank);
  ///@}

 private:
  // Where the default async methods run the blocking ones: started on first use, joined
  // when the connection ends.
  BackgroundThreads background_;
};

/// A connection over HTTP; options.base_url is the server up to and excluding /api/v1.
ERPBRIDGE_AFTERSALES_EXPORT std::shared_ptr<Connection> make_connection(Options options);

}  // namespace erpbridge::aftersales
