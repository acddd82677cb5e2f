import type { Resolvers } from '../generated/resolvers-types.js';
import { requireAccount } from './context.js';
import { badUserInput } from './errors.js';
import { parseRowId } from './ids.js';
import { centsToAmount, SHOP_CURRENCY } from './money.js';
import { addToCart, placeOrder } from './repository/cart-and-orders.js';
import { listCategories } from './repository/categories.js';
import { redeemGiftCard } from './repository/gift-cards.js';
import { countProducts, findProductPage, updateProductPrice } from './repository/products.js';
import { createReview, MAX_REVIEWS_PER_PRODUCT } from './repository/reviews.js';
import { createUser } from './repository/users.js';

/**
 * The resolvers of schema/catalog.graphql over a `DemoContext`. Only behaviour lives here:
 * who may call what is the protection directives' job, except that user-only operations need a
 * viewer ({@link requireAccount}). Every list below a page of products is loaded in batches.
 *
 * @example
 * ```ts
 * const typeDefs = [directivesSdl, catalogSdl];
 * const schema = makeExecutableSchema({ typeDefs, resolvers: catalogResolvers });
 * ```
 */
export const catalogResolvers: Resolvers = {
  Query: {
    products: (_root, args, { db }) => findProductPage(db, args),
    product: (_root, { id }, { loaders }) => {
      const productId = parseRowId(id);
      return productId === undefined ? null : loaders.productById.load(productId);
    },
    categories: (_root, _args, { db }) => listCategories(db),
    me: async (_root, _args, context) => {
      const viewer = context.viewer();
      if (viewer === undefined) return null;
      return context.loaders.userById.load(viewer.userId);
    },
  },

  Mutation: {
    signUp: (_root, { email, password }, { db }) => createUser(db, email, password),
    redeemGiftCard: async (_root, { code }, context) => {
      const user = await requireAccount(context);
      return redeemGiftCard(context.db, user.id, code);
    },
    addToCart: async (_root, { productId, quantity }, context) => {
      const user = await requireAccount(context);
      return addToCart(context.db, user.id, productId, quantity);
    },
    placeOrder: async (_root, _args, context) => {
      const user = await requireAccount(context);
      const order = await placeOrder(context.db, user.id);
      // The stock of these products changed: later fields of this operation must reload them.
      for (const item of order.items) context.loaders.productById.clear(item.productId);
      return order;
    },
    submitReview: async (_root, review, context) => {
      const user = await requireAccount(context);
      const row = await createReview(context.db, user, review);
      context.loaders.reviewStatsByProductId.clear(row.productId);
      return row;
    },
    updatePrice: async (_root, { productId, price }, { db, loaders }) => {
      const row = await updateProductPrice(db, productId, price);
      loaders.productById.clear(row.id).prime(row.id, row);
      return row;
    },
  },

  Node: {
    __resolveType: (node) => {
      if ('priceCents' in node) return 'Product';
      if ('slug' in node) return 'Category';
      if ('rating' in node) return 'Review';
      if ('email' in node) return 'User';
      return 'Order';
    },
  },

  ProductConnection: {
    totalCount: (page, _args, { db }) => countProducts(db, page.filter),
  },

  Product: {
    id: (product) => String(product.id),
    price: (product) => centsToAmount(product.priceCents),
    category: async (product, _args, { loaders }) =>
      present(await loaders.categoryById.load(product.categoryId), 'category', product.categoryId),
    reviews: (product, { first }, { loaders }) => {
      if (!Number.isInteger(first) || first < 0 || first > MAX_REVIEWS_PER_PRODUCT) {
        throw badUserInput(`Ask for 0 to ${MAX_REVIEWS_PER_PRODUCT} reviews per product.`);
      }
      if (first === 0) return [];
      return loaders
        .reviewsByProductId(first)
        .load(product.id)
        .then((rows) => [...rows]);
    },
    averageRating: async (product, _args, { loaders }) => (await loaders.reviewStatsByProductId.load(product.id)).averageRating,
    reviewCount: async (product, _args, { loaders }) => (await loaders.reviewStatsByProductId.load(product.id)).count,
    wholesalePrice: (product) => centsToAmount(product.wholesaleCents),
    stockLevel: (product) => product.stock,
  },

  Category: {
    id: (category) => String(category.id),
    productCount: (category, _args, { loaders }) => loaders.productCountByCategoryId.load(category.id),
  },

  Review: {
    id: (review) => String(review.id),
  },

  Cart: {
    items: (cart) => [...cart.items],
    total: (cart) => centsToAmount(cart.items.reduce((sum, item) => sum + item.unitPriceCents * item.quantity, 0)),
    currency: () => SHOP_CURRENCY,
  },

  CartItem: {
    product: async (item, _args, { loaders }) => present(await loaders.productById.load(item.productId), 'product', item.productId),
  },

  Order: {
    id: (order) => String(order.id),
    items: (order) => [...order.items],
    total: (order) => centsToAmount(order.totalCents),
  },

  OrderItem: {
    product: async (item, _args, { loaders }) => present(await loaders.productById.load(item.productId), 'product', item.productId),
    unitPrice: (item) => centsToAmount(item.unitPriceCents),
  },

  GiftCardRedemption: {
    amount: (redemption) => centsToAmount(redemption.amountCents),
    balance: (redemption) => centsToAmount(redemption.balanceCents),
  },
};

// A row a foreign key guarantees; its absence is a broken database, not the caller's mistake.
function present<Row>(row: Row | null, what: string, id: number): Row {
  if (row === null) throw new Error(`catalog integrity: ${what} ${id} is missing`);
  return row;
}
